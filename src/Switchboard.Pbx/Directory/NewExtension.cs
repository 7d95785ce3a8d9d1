namespace Switchboard.Pbx.Directory;

public sealed record NewExtension(string Domain, string Number, string DisplayName, string WebPassword, string SipPassword);
