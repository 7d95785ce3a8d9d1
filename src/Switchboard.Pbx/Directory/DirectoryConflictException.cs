namespace Switchboard.Pbx.Directory;

/// <summary>An administrative change that contradicts what exists (duplicate number, unknown domain).</summary>
public sealed class DirectoryConflictException : Exception
{
    public DirectoryConflictException()
    {
    }

    public DirectoryConflictException(string message)
        : base(message)
    {
    }

    public DirectoryConflictException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
