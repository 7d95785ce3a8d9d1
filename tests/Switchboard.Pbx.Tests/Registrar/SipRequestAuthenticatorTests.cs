using Switchboard.Pbx.Registrar;
using Switchboard.Pbx.Security;
using Switchboard.Sip.Auth;
using Switchboard.Sip.Messages;

namespace Switchboard.Pbx.Tests.Registrar;

public class SipRequestAuthenticatorTests
{
    private const string Contact = "<sip:100@192.0.2.10:5070>";
    private const string Account = "100@example.com";
    private static readonly string Address = RegistrarHarness.Udp.Remote.Address.ToString();

    [Fact]
    public async Task A_wrong_password_is_403_and_counted_and_the_limit_locks_the_account_even_for_the_right_one()
    {
        var h = new RegistrarHarness();
        var phone = h.NewPhone();

        for (var i = 0; i < 2; i++)
        {
            var wrong = await phone.RegisterAsync([Contact], withPassword: "guess");
            Assert.Equal(403, wrong.StatusCode);
            Assert.Equal("Forbidden", wrong.ReasonPhrase);
        }

        var third = await phone.RegisterAsync([Contact], withPassword: "guess");
        Assert.Equal(403, third.StatusCode);
        Assert.Equal("Too many failures", third.ReasonPhrase);

        // Locked: refused before the password is looked at, so the right one fails too, until the lockout ends.
        var right = await phone.RegisterAsync([Contact]);
        Assert.Equal("Too many failures", right.ReasonPhrase);
        Assert.Equal(0, h.Location.Count);
        Assert.All(h.Failures.Failures, f => Assert.Equal("sip", f.Path));
        Assert.Equal(["bad_credentials", "bad_credentials", "locked_out", "locked_out"], h.Failures.Failures.Select(f => f.Reason));
        Assert.All(h.Failures.Failures, f => Assert.Equal(Account, f.Account));

        h.Time.Advance(h.Security.LockoutDuration);
        Assert.Equal(200, (await phone.RegisterAsync([Contact])).StatusCode);
    }

    [Fact]
    public async Task A_success_clears_the_account_failures()
    {
        var h = new RegistrarHarness();
        var phone = h.NewPhone();
        await phone.RegisterAsync([Contact], withPassword: "guess");
        await phone.RegisterAsync([Contact], withPassword: "guess");
        Assert.Equal(200, (await phone.RegisterAsync([Contact])).StatusCode);

        Assert.Equal("Forbidden", (await phone.RegisterAsync([Contact], withPassword: "guess")).ReasonPhrase);
    }

    [Fact]
    public async Task Web_login_failures_and_sip_failures_spend_one_budget()
    {
        var h = new RegistrarHarness();
        var web = h.WebLogin();
        Assert.Equal(AuthFailure.BadCredentials, (await web.LoginAsync("100", "guess", Address)).Failure);
        Assert.Equal(AuthFailure.BadCredentials, (await web.LoginAsync(Account, "guess", Address)).Failure);

        var phone = h.NewPhone();
        var sip = await phone.RegisterAsync([Contact], withPassword: "guess");
        Assert.Equal("Too many failures", sip.ReasonPhrase);

        Assert.Equal(AuthFailure.LockedOut, (await web.LoginAsync("100", RegistrarHarness.WebPassword100, "203.0.113.9")).Failure);
        Assert.False(h.Throttle.Check(Account, "203.0.113.9").Allowed);
        Assert.Equal(["web", "web", "sip", "web"], h.Failures.Failures.Select(f => f.Path));
    }

    [Fact]
    public async Task An_unknown_number_is_challenged_then_refused_and_counted()
    {
        var h = new RegistrarHarness();
        var phone = h.NewPhone(user: "999");
        var refused = await phone.RegisterAsync([Contact]);

        Assert.Equal(403, refused.StatusCode);
        Assert.Equal("bad_credentials", Assert.Single(h.Failures.Failures).Reason);
    }

    [Fact]
    public async Task A_nonce_past_its_lifetime_with_the_right_password_is_rechallenged_with_stale()
    {
        var h = new RegistrarHarness();
        var phone = h.NewPhone();
        var challenge = await phone.SendAsync(phone.Build([Contact]));
        h.Time.Advance(TimeSpan.FromMinutes(6));

        var again = await phone.AnswerAsync(challenge, [Contact]);
        Assert.Equal(401, again.StatusCode);
        Assert.All(again.GetDigestChallenges(proxy: false), c => Assert.True(c.Stale));
        Assert.Empty(h.Failures.Failures);

        Assert.Equal(200, (await phone.AnswerAsync(again, [Contact])).StatusCode);
    }

    [Fact]
    public async Task A_nonce_of_another_process_is_rechallenged_without_counting()
    {
        var h = new RegistrarHarness();
        var other = new RegistrarHarness();
        var phone = h.NewPhone();
        var foreign = await other.NewPhone().SendAsync(phone.Build([Contact]));

        var again = await phone.AnswerAsync(foreign, [Contact]);
        Assert.Equal(401, again.StatusCode);
        Assert.All(again.GetDigestChallenges(proxy: false), c => Assert.False(c.Stale));
        Assert.True(h.Throttle.Check(Account, Address).Allowed);
        Assert.Empty(h.Failures.Failures);
    }

    [Fact]
    public async Task A_digest_username_other_than_the_to_user_is_403()
    {
        var h = new RegistrarHarness();
        var phone = h.NewPhone();
        phone.Username = "101";
        var refused = await phone.RegisterAsync([Contact], withPassword: "sip-101");

        Assert.Equal(403, refused.StatusCode);
        Assert.Equal("username_mismatch", Assert.Single(h.Failures.Failures).Reason);
        Assert.Equal(0, h.Location.Count);
    }

    [Fact]
    public async Task Credentials_for_another_request_uri_are_403_and_not_counted()
    {
        var h = new RegistrarHarness();
        var phone = h.NewPhone();
        var challenge = await phone.SendAsync(phone.Build([Contact]));
        var offered = challenge.GetDigestChallenges(proxy: false)[0];
        var elsewhere = DigestClient.Answer(offered, "100", RegistrarHarness.SipPassword100, "REGISTER", "sip:other.org", "c1", 1);

        var refused = await phone.SendAsync(phone.Build([Contact], credentials: elsewhere));
        Assert.Equal(403, refused.StatusCode);
        Assert.Equal("uri_mismatch", Assert.Single(h.Failures.Failures).Reason);
        Assert.True(h.Throttle.Check(Account, Address).Allowed);
    }

    [Fact]
    public async Task A_username_with_the_domain_is_accepted()
    {
        var h = new RegistrarHarness();
        var phone = h.NewPhone();
        phone.Username = Account;
        Assert.Equal(200, (await phone.RegisterAsync([Contact])).StatusCode);
    }

    [Fact]
    public async Task Other_requests_are_authenticated_as_their_from_user()
    {
        var h = new RegistrarHarness();
        SipRequest Invite(DigestCredentials? credentials)
        {
            var b = SipMessageBuilder.Request(SipMethod.Invite, "sip:101@example.com")
                .AddHeader("Via", SipVia.Format("UDP", "192.0.2.10:5070", SipIds.NewBranch()))
                .AddHeader("Max-Forwards", "70")
                .AddHeader("To", "<sip:101@example.com>")
                .AddHeader("From", $"<sip:100@example.com>;tag={SipIds.NewTag()}")
                .AddHeader("Call-ID", "invite-1")
                .AddHeader("CSeq", "1 INVITE");
            if (credentials is not null)
            {
                b.AddHeader("Authorization", credentials.ToHeaderValue());
            }

            return b.BuildRequest();
        }

        var first = await h.Authenticator.AuthenticateAsync(Invite(null), RegistrarHarness.Udp, CancellationToken.None);
        var challenge = Assert.IsType<SipAuthResult.Challenge>(first);
        var offered = challenge.Response.GetDigestChallenges(proxy: false)[0];
        var answer = DigestClient.Answer(offered, "100", RegistrarHarness.SipPassword100, "INVITE", "sip:101@example.com", "c1", 1);

        var second = await h.Authenticator.AuthenticateAsync(Invite(answer), RegistrarHarness.Udp, CancellationToken.None);
        Assert.Equal("100", Assert.IsType<SipAuthResult.Authenticated>(second).Extension.Number);
    }
}
