using System.Text;

namespace Switchboard.Sip.Messages;

/// <summary>A SIP method: a case-sensitive token (RFC 3261 section 7.1). Well-known methods are shared instances.</summary>
public sealed class SipMethod : IEquatable<SipMethod>
{
    public static readonly SipMethod Invite = new("INVITE", 0);
    public static readonly SipMethod Ack = new("ACK", 1);
    public static readonly SipMethod Bye = new("BYE", 2);
    public static readonly SipMethod Cancel = new("CANCEL", 3);
    public static readonly SipMethod Options = new("OPTIONS", 4);
    public static readonly SipMethod Register = new("REGISTER", 5);
    public static readonly SipMethod Info = new("INFO", 6);
    public static readonly SipMethod Prack = new("PRACK", 7);
    public static readonly SipMethod Update = new("UPDATE", 8);
    public static readonly SipMethod Subscribe = new("SUBSCRIBE", 9);
    public static readonly SipMethod Notify = new("NOTIFY", 10);
    public static readonly SipMethod Refer = new("REFER", 11);
    public static readonly SipMethod Message = new("MESSAGE", 12);
    public static readonly SipMethod Publish = new("PUBLISH", 13);

    private static readonly SipMethod[] Known = [Invite, Ack, Bye, Cancel, Options, Register, Info, Prack, Update, Subscribe, Notify, Refer, Message, Publish];

    /// <summary>How many well-known methods there are; <see cref="Slot"/> of an extension method is this.</summary>
    internal const int KnownCount = 14;

    private SipMethod(string name, int slot = KnownCount)
    {
        Name = name;
        Slot = slot;
        Utf8 = Encoding.UTF8.GetBytes(name);
    }

    public string Name { get; }

    internal byte[] Utf8 { get; }

    /// <summary>The method's place among the well-known ones (0 to <see cref="KnownCount"/> - 1), or <see cref="KnownCount"/> for any other: an array index for counters.</summary>
    internal int Slot { get; }

    /// <summary>The well-known methods, in <see cref="Slot"/> order.</summary>
    internal static IReadOnlyList<SipMethod> WellKnown => Known;

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
