using Switchboard.Pbx.Registrar;
using Switchboard.Sip.Auth;
using Switchboard.Sip.Messages;

namespace Switchboard.Pbx.Tests.Registrar;

public class RegistrarTests
{
    private const string ContactA = "<sip:100@192.0.2.10:5070>";
    private const string ContactB = "<sip:100@198.51.100.7:5062;transport=tcp>";

    private static IReadOnlyList<SipNameAddress> Contacts(SipResponse r) => [.. r.GetHeaderValues("Contact").Select(SipNameAddress.Parse)];

    private static string? ExpiresOf(SipNameAddress contact) => contact.Parameters.Get("expires");

    [Fact]
    public async Task By_default_the_challenge_is_MD5_only_so_phones_that_know_nothing_else_can_register()
    {
        var h = new RegistrarHarness(new RegistrarOptions { DefaultDomain = RegistrarHarness.Domain });
        var phone = h.NewPhone();
        phone.Algorithm = DigestAlgorithm.Md5;

        var challenge = await phone.SendAsync(phone.Build([ContactA]));
        Assert.Equal([DigestAlgorithm.Md5], challenge.GetDigestChallenges(proxy: false).Select(c => c.Algorithm));
        Assert.Equal(200, (await phone.AnswerAsync(challenge, [ContactA])).StatusCode);
    }

    [Fact]
    public async Task A_challenge_then_an_authenticated_register_binds_the_contact()
    {
        var h = new RegistrarHarness();
        var phone = h.NewPhone();

        var challenge = await phone.SendAsync(phone.Build([ContactA]));
        Assert.Equal(401, challenge.StatusCode);
        Assert.NotNull(challenge.To.Tag);
        var offered = challenge.GetDigestChallenges(proxy: false);
        Assert.Equal([DigestAlgorithm.Sha256, DigestAlgorithm.Md5], offered.Select(c => c.Algorithm));
        Assert.All(offered, c => Assert.Equal(RegistrarHarness.Domain, c.Realm));
        Assert.All(offered, c => Assert.False(c.Stale));
        Assert.Empty(h.Location.Lookup(1, h.Time.GetUtcNow()));

        var ok = await phone.AnswerAsync(challenge, [ContactA]);
        Assert.Equal(200, ok.StatusCode);
        Assert.NotNull(ok.To.Tag);
        Assert.Equal("Thu, 26 Nov 2026 12:00:00 GMT", ok.GetHeaderValue(SipHeaderId.Date));
        var listed = Assert.Single(Contacts(ok));
        Assert.Equal("sip:100@192.0.2.10:5070", listed.Uri.ToString());
        Assert.Equal("3600", ExpiresOf(listed));

        var binding = Assert.Single(h.Location.Lookup(1, h.Time.GetUtcNow()));
        Assert.Equal(RegistrarHarness.Udp, binding.Flow);
        Assert.Equal(phone.CallId, binding.CallId);
        Assert.Equal(2u, binding.CSeq);
        Assert.Equal("TestPhone/1.0", binding.UserAgent);
        Assert.Empty(h.Failures.Failures);
    }

    [Fact]
    public async Task An_md5_answer_is_accepted_too()
    {
        var h = new RegistrarHarness();
        var phone = h.NewPhone();
        phone.Algorithm = DigestAlgorithm.Md5;
        Assert.Equal(200, (await phone.RegisterAsync([ContactA])).StatusCode);
    }

    [Fact]
    public async Task Two_contacts_are_both_bound_and_listed()
    {
        var h = new RegistrarHarness();
        var phone = h.NewPhone();
        await phone.RegisterAsync([ContactA]);
        var ok = await phone.RegisterAsync([ContactB], expires: 600);

        Assert.Equal(["3600", "600"], Contacts(ok).Select(ExpiresOf));
        Assert.Equal(2, h.Location.Lookup(1, h.Time.GetUtcNow()).Count);
    }

    [Fact]
    public async Task A_refresh_of_the_same_contact_replaces_its_binding()
    {
        var h = new RegistrarHarness();
        var phone = h.NewPhone();
        await phone.RegisterAsync([ContactA]);
        h.Time.Advance(TimeSpan.FromMinutes(30));
        var ok = await phone.RegisterAsync([ContactA + ";expires=600"]);

        Assert.Equal("600", ExpiresOf(Assert.Single(Contacts(ok))));
        Assert.Equal(1, h.Location.Count);
    }

    [Fact]
    public async Task The_same_instance_id_under_a_new_address_refreshes_rather_than_duplicates()
    {
        var h = new RegistrarHarness();
        var phone = h.NewPhone();
        const string Instance = ";+sip.instance=\"<urn:uuid:00000000-0000-1000-8000-000A95A0E128>\";reg-id=1";
        await phone.RegisterAsync([ContactA + Instance]);
        var ok = await phone.RegisterAsync([ContactB + Instance]);

        var listed = Assert.Single(Contacts(ok));
        Assert.Equal("sip:100@198.51.100.7:5062;transport=tcp", listed.Uri.ToString());
        Assert.Equal("\"<urn:uuid:00000000-0000-1000-8000-000A95A0E128>\"", listed.Parameters.Get("+sip.instance"));
        var binding = Assert.Single(h.Location.Lookup(1, h.Time.GetUtcNow()));
        Assert.Equal("<urn:uuid:00000000-0000-1000-8000-000A95A0E128>", binding.InstanceId);
        Assert.Equal(1, binding.RegId);
    }

    [Fact]
    public async Task A_binding_expires_when_its_time_has_passed()
    {
        var h = new RegistrarHarness();
        await h.NewPhone().RegisterAsync([ContactA], expires: 120);

        h.Time.Advance(TimeSpan.FromSeconds(119));
        Assert.Single(h.Location.Lookup(1, h.Time.GetUtcNow()));
        h.Time.Advance(TimeSpan.FromSeconds(1));
        Assert.Empty(h.Location.Lookup(1, h.Time.GetUtcNow()));
        Assert.Equal(1, h.Location.Count);
        Assert.Equal(1, h.Location.Sweep(h.Time.GetUtcNow()));
        Assert.Equal(0, h.Location.Count);
    }

    [Fact]
    public async Task Expires_zero_removes_one_contact_and_keeps_the_others()
    {
        var h = new RegistrarHarness();
        var phone = h.NewPhone();
        await phone.RegisterAsync([ContactA, ContactB]);
        var ok = await phone.RegisterAsync([ContactA + ";expires=0"]);

        Assert.Equal(200, ok.StatusCode);
        Assert.Equal("sip:100@198.51.100.7:5062;transport=tcp", Assert.Single(Contacts(ok)).Uri.ToString());
    }

    [Fact]
    public async Task Contact_star_with_expires_zero_removes_all()
    {
        var h = new RegistrarHarness();
        var phone = h.NewPhone();
        await phone.RegisterAsync([ContactA, ContactB]);

        var bad = await phone.RegisterAsync(["*"], expires: 60);
        Assert.Equal(400, bad.StatusCode);
        Assert.Equal(2, h.Location.Lookup(1, h.Time.GetUtcNow()).Count);

        var ok = await phone.RegisterAsync(["*"], expires: 0);
        Assert.Equal(200, ok.StatusCode);
        Assert.Empty(Contacts(ok));
        Assert.Equal(0, h.Location.Count);
    }

    [Fact]
    public async Task A_register_without_contacts_lists_the_current_bindings()
    {
        var h = new RegistrarHarness();
        var phone = h.NewPhone();
        await phone.RegisterAsync([ContactA]);
        h.Time.Advance(TimeSpan.FromSeconds(100));

        var ok = await phone.RegisterAsync(null);
        Assert.Equal("3500", ExpiresOf(Assert.Single(Contacts(ok))));
    }

    [Fact]
    public async Task Too_brief_an_interval_gets_423_with_min_expires_and_too_long_is_shortened()
    {
        var h = new RegistrarHarness();
        var phone = h.NewPhone();

        var brief = await phone.RegisterAsync([ContactA], expires: 30);
        Assert.Equal(423, brief.StatusCode);
        Assert.Equal("60", brief.GetHeaderValue(SipHeaderId.MinExpires));
        Assert.Equal(0, h.Location.Count);

        var ok = await phone.RegisterAsync([ContactA], expires: 7200);
        Assert.Equal("3600", ExpiresOf(Assert.Single(Contacts(ok))));
    }

    [Fact]
    public async Task A_request_of_the_same_call_id_without_a_higher_cseq_fails_with_500()
    {
        var h = new RegistrarHarness();
        var phone = h.NewPhone();
        await phone.RegisterAsync([ContactA]);
        phone.CSeq = 0;

        var stale = await phone.RegisterAsync([ContactA], expires: 300);
        Assert.Equal(500, stale.StatusCode);
        Assert.Equal(2u, Assert.Single(h.Location.Lookup(1, h.Time.GetUtcNow())).CSeq);
    }

    [Fact]
    public async Task Beyond_the_contact_limit_the_least_recently_refreshed_is_replaced()
    {
        var h = new RegistrarHarness(new RegistrarOptions { DefaultDomain = RegistrarHarness.Domain, MaxContactsPerExtension = 2 });
        var phone = h.NewPhone();
        phone.Algorithm = DigestAlgorithm.Md5;
        await phone.RegisterAsync(["<sip:100@192.0.2.1>"]);
        await phone.RegisterAsync(["<sip:100@192.0.2.2>"]);
        await phone.RegisterAsync(["<sip:100@192.0.2.1>"]);
        var ok = await phone.RegisterAsync(["<sip:100@192.0.2.3>"]);

        Assert.Equal(["sip:100@192.0.2.1", "sip:100@192.0.2.3"], Contacts(ok).Select(c => c.Uri.ToString()));
    }

    [Fact]
    public async Task A_to_that_cannot_be_an_extension_is_404_without_a_challenge()
    {
        var h = new RegistrarHarness();
        var phone = h.NewPhone(user: "alice");
        Assert.Equal(404, (await phone.SendAsync(phone.Build([ContactA]))).StatusCode);
    }

    [Fact]
    public async Task An_ip_address_in_to_means_the_default_domain()
    {
        var h = new RegistrarHarness();
        var phone = h.NewPhone(host: "127.0.0.1");
        var ok = await phone.RegisterAsync([ContactA]);
        Assert.Equal(200, ok.StatusCode);
        Assert.Single(h.Location.Lookup(1, h.Time.GetUtcNow()));
    }

    [Fact]
    public async Task A_closed_connection_drops_its_bindings_but_udp_flows_stay()
    {
        var h = new RegistrarHarness();
        await h.NewPhone(flow: RegistrarHarness.Udp).RegisterAsync([ContactA]);
        await h.NewPhone(flow: RegistrarHarness.Tcp).RegisterAsync([ContactB]);

        Assert.Equal(0, h.Registrar.OnFlowClosed(RegistrarHarness.Udp));
        Assert.Equal(1, h.Registrar.OnFlowClosed(RegistrarHarness.Tcp));
        Assert.Equal(RegistrarHarness.Udp, Assert.Single(h.Location.Lookup(1, h.Time.GetUtcNow())).Flow);
    }
}
