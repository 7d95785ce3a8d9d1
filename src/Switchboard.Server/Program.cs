using System.CommandLine;
using Switchboard.Server.Cli;

var root = new RootCommand("Switchboard: a PBX with WebRTC click-to-call. With no verb it serves (same as 'serve').");
root.Options.Add(CommonOptions.Data);
root.Options.Add(CommonOptions.Store);
root.Options.Add(CommonOptions.DefaultDomain);
ServeCommand.AddTo(root);
DomainCommands.AddTo(root);
ExtensionCommands.AddTo(root);
LinkCommands.AddTo(root);
TrunkCommands.AddTo(root);
DialPlanCommands.AddTo(root);
PermissionCommands.AddTo(root);
LimitCommands.AddTo(root);
AllowListCommands.AddTo(root);
CallCommands.AddTo(root);
NumberClassCommands.AddTo(root);
return await root.Parse(args).InvokeAsync();
