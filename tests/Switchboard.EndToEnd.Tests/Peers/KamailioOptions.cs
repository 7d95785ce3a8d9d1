using System.Text.RegularExpressions;

namespace Switchboard.EndToEnd.Tests.Peers;

/// <summary>
/// The stand-in carrier's accounts and numbers. Every user may register (digest, realm
/// <see cref="Domain"/>) and must authenticate its INVITEs (407); a DID is routed to the contact that
/// its trunk user registered, keeping the DID as the request-URI's user.
/// </summary>
public sealed partial record KamailioOptions
{
    /// <summary>The carrier's domain: digest realm and an alias Kamailio treats as itself.</summary>
    public string Domain { get; init; } = "carrier.test";

    /// <summary>Digest user name and password of every account (the PBX's trunk account, the public phones).</summary>
    public IList<(string User, string Password)> Users { get; init; } = [];

    /// <summary>
    /// DID (e.g. <c>4930123456</c>) to the trunk user whose registered contact receives its calls. A key
    /// ending in <c>*</c> is a prefix: <c>4940*</c> routes every number starting with 4940.
    /// </summary>
    public IDictionary<string, string> Dids { get; init; } = new Dictionary<string, string>();

    /// <summary>How long start-up may take until Kamailio answers OPTIONS.</summary>
    public TimeSpan StartTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Values go into the generated config as string literals and regular expressions: allow only
    /// characters that need no escaping there, so a test cannot produce a config that means something else.
    /// </summary>
    internal void Validate()
    {
        Require(Domain, DomainSyntax(), nameof(Domain));
        foreach (var (user, password) in Users)
        {
            Require(user, TokenSyntax(), nameof(Users));
            Require(password, TokenSyntax(), nameof(Users));
        }

        foreach (var (did, trunkUser) in Dids)
        {
            Require(did, DidSyntax(), nameof(Dids));
            if (!Users.Any(u => u.User == trunkUser))
            {
                throw new ArgumentException($"DID {did} routes to '{trunkUser}', which is not among the users", nameof(Dids));
            }
        }
    }

    private static void Require(string value, Regex syntax, string field)
    {
        if (!syntax.IsMatch(value)) throw new ArgumentException($"'{value}' is not allowed in {field} (pattern {syntax})", field);
    }

    [GeneratedRegex(@"^[A-Za-z0-9.-]+$")]
    private static partial Regex DomainSyntax();

    [GeneratedRegex(@"^[A-Za-z0-9_.+-]+$")]
    private static partial Regex TokenSyntax();

    [GeneratedRegex(@"^[0-9]+\*?$")]
    private static partial Regex DidSyntax();
}
