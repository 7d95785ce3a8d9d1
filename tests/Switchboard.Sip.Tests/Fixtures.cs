using System.Text;

namespace Switchboard.Sip.Tests;

internal static class Fixtures
{
    public static byte[] Rfc4475(string name) =>
        File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Fixtures", "Rfc4475", name + ".dat"));

    /// <summary>Text with LF line ends turned into CRLF.</summary>
    public static byte[] Crlf(string text) => Encoding.UTF8.GetBytes(text.Replace("\r\n", "\n", StringComparison.Ordinal).Replace("\n", "\r\n", StringComparison.Ordinal));
}
