using Switchboard.Sip.Parsing;

namespace Switchboard.Sip.Tests.Parsing;

/// <summary>quoted-string (RFC 3261 section 25.1): written and read back, with and without quoted-pairs.</summary>
public sealed class EscapingTests
{
    [Theory]
    [InlineData("", "\"\"")]
    [InlineData("Alice", "\"Alice\"")]
    [InlineData("say \"hi\"", "\"say \\\"hi\\\"\"")]
    [InlineData("a\\b", "\"a\\\\b\"")]
    public void Quote_escapes_only_quotes_and_backslashes(string value, string quoted)
    {
        Assert.Equal(quoted, Escaping.Quote(value));
        Assert.Equal(value, Escaping.Unquote(System.Text.Encoding.UTF8.GetBytes(quoted)));
    }
}
