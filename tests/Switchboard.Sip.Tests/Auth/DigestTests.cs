using Switchboard.Sip.Auth;

namespace Switchboard.Sip.Tests.Auth;

public class DigestTests
{
    private static readonly DateTimeOffset Now = new(2026, 3, 1, 9, 0, 0, TimeSpan.Zero);
    private static readonly byte[] Key = [.. Enumerable.Range(1, 32).Select(i => (byte)i)];

    [Fact]
    public void Rfc2617_section_3_5_md5_vector()
    {
        var ha1 = DigestComputation.Ha1(DigestAlgorithm.Md5, "Mufasa", "testrealm@host.com", "Circle Of Life");
        var response = DigestComputation.Response(DigestAlgorithm.Md5, ha1, "GET", "/dir/index.html",
            "dcd98b7102dd2f0e8b11d0f600bfb0c093", "00000001", "0a4f113b", "auth");
        Assert.Equal("6629fae49393a05397450978507c4ef1", response);
    }

    [Fact]
    public void Rfc7616_section_3_9_1_sha256_vector()
    {
        var challenge = new DigestChallenge("http-auth@example.org", "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", DigestAlgorithm.Sha256,
            "FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS");
        var credentials = DigestClient.Answer(challenge, "Mufasa", "Circle of Life", "GET", "/dir/index.html",
            "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ", 1);
        Assert.Equal("753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1", credentials.Response);
        Assert.Equal("00000001", credentials.NonceCount);
    }

    /// <summary>The response is compared as hex whatever its case (RFC 7616 section 3.4.1: LHEX, but peers send upper case too).</summary>
    [Fact]
    public void An_upper_case_response_verifies_and_a_changed_digit_does_not()
    {
        var server = new DigestServer(Key);
        var challenge = server.CreateChallenges("pbx.example.com", Now, [DigestAlgorithm.Md5]).Single();
        var ok = DigestClient.Answer(challenge, "1001", "s3cret", "INVITE", "sip:2000@pbx.example.com", "c1", 1);
        Assert.Equal(DigestVerifyStatus.Ok, server.Verify(ok with { Response = ok.Response.ToUpperInvariant() }, "INVITE", "pbx.example.com", "s3cret", Now));
        var wrong = ok with { NonceCount = "00000002", Response = (ok.Response[0] == '0' ? "1" : "0") + ok.Response[1..] };
        Assert.Equal(DigestVerifyStatus.WrongResponse, server.Verify(wrong, "INVITE", "pbx.example.com", "s3cret", Now));
        Assert.Equal(DigestVerifyStatus.WrongResponse, server.Verify(ok with { NonceCount = "00000003", Response = ok.Response[..^1] }, "INVITE", "pbx.example.com", "s3cret", Now));
    }

    [Fact]
    public void Quoted_pairs_are_undone_and_parameter_names_are_case_insensitive()
    {
        Assert.True(DigestCredentials.TryParse("Digest USERNAME=\"a\\\"b\", Realm=\"r\", NONCE=\"n\", uri=\"sip:x\", response=\"00\"", out var c));
        Assert.Equal(("a\"b", "r", "n"), (c.Username, c.Realm, c.Nonce));
    }

    /// <summary>A long user name and password go past the stack buffer: the pooled one gives the same digest.</summary>
    [Fact]
    public void Long_inputs_hash_as_short_ones_do()
    {
        var user = new string('u', 300);
        var password = new string('p', 500);
#pragma warning disable CA5351 // The digest's own algorithm, as the reference.
        var expected = Convert.ToHexStringLower(System.Security.Cryptography.MD5.HashData(System.Text.Encoding.UTF8.GetBytes($"{user}:realm:{password}")));
#pragma warning restore CA5351
        Assert.Equal(expected, DigestComputation.Ha1(DigestAlgorithm.Md5, user, "realm", password));
    }

    [Fact]
    public void Headers_round_trip_through_their_text_form()
    {
        var server = new DigestServer(Key);
        var challenges = server.CreateChallenges("pbx.example.com", Now);
        Assert.Equal([DigestAlgorithm.Sha256, DigestAlgorithm.Md5], challenges.Select(c => c.Algorithm));
        Assert.True(DigestChallenge.TryParse(challenges[0].ToHeaderValue(), out var parsed));
        Assert.Equal(challenges[0], parsed);
        var creds = DigestClient.Answer(parsed, "1001", "pa\"ss", "REGISTER", "sip:pbx.example.com", "abc", 1);
        Assert.True(DigestCredentials.TryParse(creds.ToHeaderValue(), out var back));
        Assert.Equal(creds, back);
        Assert.True(DigestCredentials.TryParse("Digest username=\"bob\", realm=\"biloxi.com\", nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\", uri=\"sip:bob@biloxi.com\", qop=auth, nc=00000001, cnonce=\"0a4f113b\", response=\"6629fae49393a05397450978507c4ef1\", opaque=\"5ccc069c403ebaf9f0171e9517f40e41\"", out var rfc));
        Assert.Equal("bob", rfc.Username);
        Assert.Equal(DigestAlgorithm.Md5, rfc.Algorithm);
        Assert.False(DigestCredentials.TryParse("Basic dXNlcjpwYXNz", out _));
        Assert.False(DigestChallenge.TryParse("Digest realm=\"unterminated", out _));
    }

    [Theory]
    [InlineData(DigestAlgorithm.Md5)]
    [InlineData(DigestAlgorithm.Sha256)]
    public void Server_accepts_the_right_password_and_rejects_wrong_password_replay_and_stale(DigestAlgorithm algorithm)
    {
        var server = new DigestServer(Key);
        var challenge = server.CreateChallenges("pbx.example.com", Now).Single(c => c.Algorithm == algorithm);
        var ok = DigestClient.Answer(challenge, "1001", "s3cret", "INVITE", "sip:2000@pbx.example.com", "c1", 1);
        Assert.Equal(DigestVerifyStatus.Ok, server.Verify(ok, "INVITE", "pbx.example.com", "s3cret", Now.AddSeconds(1)));
        Assert.Equal(DigestVerifyStatus.Replay, server.Verify(ok, "INVITE", "pbx.example.com", "s3cret", Now.AddSeconds(2)));
        var next = DigestClient.Answer(challenge, "1001", "s3cret", "BYE", "sip:2000@pbx.example.com", "c1", 2);
        Assert.Equal(DigestVerifyStatus.Ok, server.Verify(next, "BYE", "pbx.example.com", "s3cret", Now.AddSeconds(3)));

        var wrong = DigestClient.Answer(challenge, "1001", "guess", "INVITE", "sip:2000@pbx.example.com", "c2", 3);
        Assert.Equal(DigestVerifyStatus.WrongResponse, server.Verify(wrong, "INVITE", "pbx.example.com", "s3cret", Now.AddSeconds(4)));
        Assert.Equal(DigestVerifyStatus.WrongResponse, server.Verify(ok, "REGISTER", "pbx.example.com", "s3cret", Now.AddSeconds(4)));

        var later = DigestClient.Answer(challenge, "1001", "s3cret", "INVITE", "sip:2000@pbx.example.com", "c3", 4);
        Assert.Equal(DigestVerifyStatus.Stale, server.Verify(later, "INVITE", "pbx.example.com", "s3cret", Now.AddMinutes(6)));
        var laterWrong = DigestClient.Answer(challenge, "1001", "guess", "INVITE", "sip:2000@pbx.example.com", "c3", 5);
        Assert.Equal(DigestVerifyStatus.WrongResponse, server.Verify(laterWrong, "INVITE", "pbx.example.com", "s3cret", Now.AddMinutes(6)));
        Assert.EndsWith("stale=TRUE", server.CreateChallenges("pbx.example.com", Now.AddMinutes(6), stale: true)[0].ToHeaderValue(), StringComparison.Ordinal);
    }

    [Fact]
    public void Forged_nonces_and_foreign_realms_are_rejected()
    {
        var server = new DigestServer(Key);
        var other = new DigestServer([.. Key.Select(b => (byte)(b ^ 0xFF))]);
        var foreign = other.CreateChallenges("pbx.example.com", Now)[0];
        var creds = DigestClient.Answer(foreign, "1001", "s3cret", "REGISTER", "sip:pbx.example.com", "c", 1);
        Assert.Equal(DigestVerifyStatus.InvalidNonce, server.Verify(creds, "REGISTER", "pbx.example.com", "s3cret", Now));
        var garbage = creds with { Nonce = "not-a-nonce" };
        Assert.Equal(DigestVerifyStatus.InvalidNonce, server.Verify(garbage, "REGISTER", "pbx.example.com", "s3cret", Now));
        var mine = server.CreateChallenges("a.example.com", Now)[0];
        var moved = DigestClient.Answer(mine with { Realm = "b.example.com" }, "1001", "s3cret", "REGISTER", "sip:b.example.com", "c", 1);
        Assert.Equal(DigestVerifyStatus.InvalidNonce, server.Verify(moved, "REGISTER", "b.example.com", "s3cret", Now));
        Assert.Equal(DigestVerifyStatus.Malformed, server.Verify(moved with { Qop = null }, "REGISTER", "b.example.com", "s3cret", Now));
    }

    [Fact]
    public void Nonce_count_memory_is_bounded_and_forgotten_nonces_are_made_stale()
    {
        var server = new DigestServer(Key, new DigestServerOptions { MaxTrackedNonces = 4 });
        var challenges = Enumerable.Range(0, 6).Select(i => server.CreateChallenges("r", Now.AddMilliseconds(i))[0]).ToArray();
        var creds = challenges.Select(c => DigestClient.Answer(c, "u", "p", "REGISTER", "sip:r", "c", 1)).ToArray();
        foreach (var c in creds) Assert.Equal(DigestVerifyStatus.Ok, server.Verify(c, "REGISTER", "r", "p", Now.AddSeconds(1)));
        // The first two were pushed out of memory: a replay of them is not accepted.
        Assert.Equal(DigestVerifyStatus.Stale, server.Verify(creds[0], "REGISTER", "r", "p", Now.AddSeconds(2)));
        Assert.Equal(DigestVerifyStatus.Replay, server.Verify(creds[5], "REGISTER", "r", "p", Now.AddSeconds(2)));
    }
}

public class DigestOverSipTests
{
    [Fact]
    public void Register_is_challenged_answered_and_verified()
    {
        var now = new DateTimeOffset(2026, 3, 1, 9, 0, 0, TimeSpan.Zero);
        var server = new DigestServer(new byte[32]);
        var register = Switchboard.Sip.Tests.Transactions.TransactionTests.Request(Switchboard.Sip.Messages.SipMethod.Register);
        var challenge = register.CreateChallengeResponse(server.CreateChallenges("pbx.example.com", now), "t1");
        Assert.Equal(401, challenge.StatusCode);
        var offered = challenge.GetDigestChallenges(proxy: false);
        Assert.Equal(2, offered.Count);

        var credentials = DigestClient.Answer(offered[0], "1001", "pw", "REGISTER", register.RequestUri.ToString(), "cn", 1);
        var retry = register.ToBuilder()
            .SetHeader("CSeq", "2 REGISTER")
            .AddHeader("Authorization", credentials.ToHeaderValue())
            .BuildRequest();
        Assert.True(retry.TryGetDigestCredentials("pbx.example.com", proxy: false, out var received));
        Assert.Equal(DigestAlgorithm.Sha256, received.Algorithm);
        Assert.Equal(DigestVerifyStatus.Ok, server.Verify(received, retry.Method.Name, "pbx.example.com", "pw", now.AddSeconds(1)));
        Assert.False(retry.TryGetDigestCredentials("other.example.com", proxy: false, out _));
    }
}
