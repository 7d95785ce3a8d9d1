using System.Text;

namespace Switchboard.Sip.Messages;

/// <summary>A SIP method: a case-sensitive token (RFC 3261 section 7.1). Well-known methods are shared instances.</summary>
public sealed class SipMethod : IEquatable<SipMethod>
{
    public static readonly SipMethod Invite = new("INVITE");
    public static readonly SipMethod Ack = new("ACK");
    public static readonly SipMethod Bye = new("BYE");
    public static readonly SipMethod Cancel = new("CANCEL");
    public static readonly SipMethod Options = new("OPTIONS");
    public static readonly SipMethod Register = new("REGISTER");
    public static readonly SipMethod Info = new("INFO");
    public static readonly SipMethod Prack = new("PRACK");
    public static readonly SipMethod Update = new("UPDATE");
    public static readonly SipMethod Subscribe = new("SUBSCRIBE");
    public static readonly SipMethod Notify = new("NOTIFY");
    public static readonly SipMethod Refer = new("REFER");
    public static readonly SipMethod Message = new("MESSAGE");
    public static readonly SipMethod Publish = new("PUBLISH");

    private static readonly SipMethod[] Known = [Invite, Ack, Bye, Cancel, Options, Register, Info, Prack, Update, Subscribe, Notify, Refer, Message, Publish];

    private SipMethod(string name)
    {
        Name = name;
        Utf8 = Encoding.UTF8.GetBytes(name);
    }

    public string Name { get; }

    internal byte[] Utf8 { get; }

    /// <summary>Returns the shared instance for a well-known method or a new one for an extension method.</summary>
    public static SipMethod Get(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        foreach (var m in Known)
        {
            if (m.Name == name) return m;
        }
        return new SipMethod(name);
    }

    internal static SipMethod Get(ReadOnlySpan<byte> name)
    {
        foreach (var m in Known)
        {
            if (name.SequenceEqual(m.Utf8)) return m;
        }
        return new SipMethod(Encoding.UTF8.GetString(name));
    }

    public bool Equals(SipMethod? other) => other is not null && string.Equals(Name, other.Name, StringComparison.Ordinal);

    public override bool Equals(object? obj) => obj is SipMethod m && Equals(m);

    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(Name);

    public override string ToString() => Name;

    public static bool operator ==(SipMethod? a, SipMethod? b) => a is null ? b is null : a.Equals(b);

    public static bool operator !=(SipMethod? a, SipMethod? b) => !(a == b);
}

/// <summary>The CSeq header: sequence number and method (RFC 3261 section 20.16).</summary>
public readonly record struct SipCSeq(uint Number, SipMethod Method)
{
    public override string ToString() => $"{Number} {Method.Name}";
}
