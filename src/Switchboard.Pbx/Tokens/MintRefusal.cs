namespace Switchboard.Pbx.Tokens;

/// <summary>Why <c>POST /api/tokens</c> minted nothing (docs/tokens.md, "Errors").</summary>
public enum MintRefusal
{
    None,

    /// <summary>The destination is not a dial string.</summary>
    BadDestination,

    /// <summary>The dial plan finds nothing for it, for the key's caller.</summary>
    DestinationNotFound,

    /// <summary>The dial plan or the domain's policy refuses it for the key's caller (allow-list, class, limits).</summary>
    DestinationNotPermitted,

    /// <summary>The ttl is not positive, or longer than <see cref="Security.SecurityOptions.MaxTokenLifetime"/> (refused, not shortened).</summary>
    BadTtl,

    /// <summary>The maxDuration is not positive, or longer than the PBX's call cap.</summary>
    BadMaxDuration,

    /// <summary>The label is longer than 100 characters or holds control characters.</summary>
    BadLabel,

    /// <summary>The key's caller extension no longer exists.</summary>
    CallerGone,
}
