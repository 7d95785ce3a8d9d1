using System.CommandLine;
using Switchboard.Pbx.Directory;
using Switchboard.Pbx.Queues;
using Switchboard.Server.Hosting;
using Switchboard.Storage;

namespace Switchboard.Server.Cli;

/// <summary><c>queue add|list|remove</c> and <c>queue member add|remove</c>: call queues (docs/queues.md). A running server reads them at start.</summary>
internal static class QueueCommands
{
    public static void AddTo(RootCommand root)
    {
        var queue = new Command("queue", "Call queues (ACD): callers wait with hold music until an agent answers");
        queue.Subcommands.Add(Add());
        queue.Subcommands.Add(List());
        queue.Subcommands.Add(Remove());
        var member = new Command("member", "The extensions that answer a queue's callers");
        member.Subcommands.Add(MemberAdd());
        member.Subcommands.Add(MemberRemove());
        queue.Subcommands.Add(member);
        root.Subcommands.Add(queue);
    }

    private static Command Add()
    {
        var domain = new Option<string>("--domain") { Description = "The queue's domain", Required = true };
        var name = new Option<string>("--name") { Description = "A short name; reached as queue:NAME, call records say queue:NAME", Required = true };
        var number = new Option<string?>("--number") { Description = "A number that dials the queue (like an extension's)" };
        var strategy = new Option<string>("--strategy") { Description = "ring-all, round-robin or longest-idle", DefaultValueFactory = _ => "ring-all" };
        var members = new Option<string[]>("--member") { Description = "An extension number that answers (repeat)", AllowMultipleArgumentsPerToken = true };
        var maxWait = new Option<int>("--max-wait") { Description = "Seconds a caller waits at most before the fallback", DefaultValueFactory = _ => 300 };
        var fallback = new Option<string?>("--fallback") { Description = "After the maximum wait: a number (*50 the IVR), queue:NAME or hangup:REASON" };
        var wrapUp = new Option<int>("--wrap-up") { Description = "Seconds an agent rests after a queue call", DefaultValueFactory = _ => 10 };
        var announce = new Option<int>("--announce-every") { Description = "Seconds between position and expected-wait announcements", DefaultValueFactory = _ => 30 };
        var ring = new Option<int>("--ring-timeout") { Description = "Seconds an offer rings one agent before the next is tried", DefaultValueFactory = _ => 15 };
        var language = new Option<string>("--language") { Description = "The announcements' language: en or de", DefaultValueFactory = _ => "en" };
        var music = new Option<string>("--hold-music") { Description = "A WAV of the prompt folder, looped while callers wait", DefaultValueFactory = _ => QueueDefinition.DefaultHoldMusic };
        var add = new Command("add", "Add a queue") { domain, name, number, strategy, members, maxWait, fallback, wrapUp, announce, ring, language, music };
        add.SetAction(async (result, ct) =>
        {
            if (!QueueStrategies.TryParse(result.GetValue(strategy), out var chosen))
            {
                Console.Error.WriteLine($"--strategy: '{result.GetValue(strategy)}' is not ring-all, round-robin or longest-idle.");
                return 1;
            }

            var candidate = new QueueDefinition(0, result.GetValue(domain)!, result.GetValue(name)!, result.GetValue(number), chosen,
                result.GetValue(members) ?? [], TimeSpan.FromSeconds(result.GetValue(maxWait)), result.GetValue(fallback),
                TimeSpan.FromSeconds(result.GetValue(wrapUp)), TimeSpan.FromSeconds(result.GetValue(announce)),
                TimeSpan.FromSeconds(result.GetValue(ring)), result.GetValue(language)!, result.GetValue(music)!);
            if (candidate.Validate() is { } problem)
            {
                Console.Error.WriteLine(problem + ".");
                return 1;
            }

            using var data = await DataFolder.OpenAsync(result.GetValue(CommonOptions.Data)!, result.GetValue(CommonOptions.Store), ct);
            try
            {
                var added = await Store(data).AddAsync(candidate, ct);
                Console.WriteLine($"Added queue {added.Name} to {added.Domain}. Restart the server to use it.");
                return 0;
            }
            catch (DirectoryConflictException ex)
            {
                Console.Error.WriteLine(ex.Message);
                return 1;
            }
        });
        return add;
    }

    private static Command List()
    {
        var domain = new Option<string?>("--domain") { Description = "Only this domain's queues" };
        var list = new Command("list", "List queues with their members") { domain };
        list.SetAction(async (result, ct) =>
        {
            using var data = await DataFolder.OpenAsync(result.GetValue(CommonOptions.Data)!, result.GetValue(CommonOptions.Store), ct);
            foreach (var q in await Store(data).ListAsync(result.GetValue(domain), ct))
            {
                Console.WriteLine($"{q.Domain} {q.Name}{(q.Number is { } n ? " (" + n + ")" : "")}: {q.Strategy.ToText()}, members " +
                    $"{(q.Members.Count == 0 ? "none" : string.Join(",", q.Members))}, max wait {q.MaxWait.TotalSeconds:0} s then " +
                    $"{q.Fallback ?? "hangup:unavailable"}, wrap-up {q.WrapUp.TotalSeconds:0} s, announce every {q.AnnounceEvery.TotalSeconds:0} s, " +
                    $"ring {q.RingTimeout.TotalSeconds:0} s, {q.Language}, {q.HoldMusic}");
            }

            return 0;
        });
        return list;
    }

    private static Command Remove()
    {
        var domain = new Option<string>("--domain") { Required = true };
        var name = new Option<string>("--name") { Required = true };
        var remove = new Command("remove", "Remove a queue") { domain, name };
        remove.SetAction(async (result, ct) =>
        {
            using var data = await DataFolder.OpenAsync(result.GetValue(CommonOptions.Data)!, result.GetValue(CommonOptions.Store), ct);
            if (await Store(data).RemoveAsync(result.GetValue(domain)!, result.GetValue(name)!, ct))
            {
                Console.WriteLine("Removed.");
                return 0;
            }

            Console.Error.WriteLine("--name: no such queue in that domain.");
            return 1;
        });
        return remove;
    }

    private static Command MemberAdd()
    {
        var domain = new Option<string>("--domain") { Required = true };
        var name = new Option<string>("--queue") { Required = true };
        var extension = new Option<string>("--extension") { Description = "The member's extension number", Required = true };
        var add = new Command("add", "Add an extension to a queue (last in its order)") { domain, name, extension };
        add.SetAction(async (result, ct) =>
        {
            if (!Names.IsExtensionNumber(result.GetValue(extension)))
            {
                Console.Error.WriteLine($"--extension: '{result.GetValue(extension)}' is not an extension number.");
                return 1;
            }

            using var data = await DataFolder.OpenAsync(result.GetValue(CommonOptions.Data)!, result.GetValue(CommonOptions.Store), ct);
            try
            {
                await Store(data).AddMemberAsync(result.GetValue(domain)!, result.GetValue(name)!, result.GetValue(extension)!, ct);
                Console.WriteLine("Added. Restart the server to use it.");
                return 0;
            }
            catch (DirectoryConflictException ex)
            {
                Console.Error.WriteLine(ex.Message);
                return 1;
            }
        });
        return add;
    }

    private static Command MemberRemove()
    {
        var domain = new Option<string>("--domain") { Required = true };
        var name = new Option<string>("--queue") { Required = true };
        var extension = new Option<string>("--extension") { Required = true };
        var remove = new Command("remove", "Remove an extension from a queue") { domain, name, extension };
        remove.SetAction(async (result, ct) =>
        {
            using var data = await DataFolder.OpenAsync(result.GetValue(CommonOptions.Data)!, result.GetValue(CommonOptions.Store), ct);
            if (await Store(data).RemoveMemberAsync(result.GetValue(domain)!, result.GetValue(name)!, result.GetValue(extension)!, ct))
            {
                Console.WriteLine("Removed.");
                return 0;
            }

            Console.Error.WriteLine("--extension: not a member of that queue.");
            return 1;
        });
        return remove;
    }

    private static SqlQueueStore Store(DataFolder data) => new(data.Database, TimeProvider.System);
}
