using System.Security.Cryptography;

namespace Switchboard.Storage;

/// <summary>The secret-sealing key, kept in the data folder beside (not inside) the database, readable by the owner only.</summary>
public static class KeyFile
{
    public static byte[] LoadOrCreate(string path, int size)
    {
        if (File.Exists(path))
        {
            var existing = File.ReadAllBytes(path);
            if (existing.Length != size)
            {
                throw new InvalidDataException($"The key file {path} has {existing.Length} bytes, expected {size}. Restore it from a backup; without it the stored passwords cannot be read.");
            }

            return existing;
        }

        var key = RandomNumberGenerator.GetBytes(size);
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var stream = new FileStream(path, options))
        {
            stream.Write(key);
        }

        return key;
    }
}
