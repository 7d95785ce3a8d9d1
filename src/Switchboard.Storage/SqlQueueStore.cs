using System.Data.Common;
using Switchboard.Pbx.Directory;
using Switchboard.Pbx.Queues;

namespace Switchboard.Storage;

/// <summary>Call queues and their members (migration 15): members are extensions of the queue's domain, kept in the order added.</summary>
public sealed class SqlQueueStore(StoreDatabase db, TimeProvider time) : IQueueStore
{
    private const string Columns =
        "q.id, d.name, q.name, q.number, q.strategy, q.max_wait_ms, q.fallback, q.wrap_up_ms, q.announce_ms, q.ring_ms, q.language, q.hold_music";

    public async Task<QueueDefinition> AddAsync(QueueDefinition queue, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(queue);
        if (queue.Validate() is { } problem)
        {
            throw new ArgumentException(problem, nameof(queue));
        }

        var domain = queue.Domain.ToLowerInvariant();
        await using var c = await db.OpenAsync(ct);
        await using var tx = await c.BeginTransactionAsync(ct);
        long id;
        await using (var cmd = c.Command("""
            INSERT INTO queues (domain_id, name, number, strategy, max_wait_ms, fallback, wrap_up_ms, announce_ms, ring_ms, language, hold_music, created_at)
            SELECT d.id, @name, @number, @strategy, @maxWait, @fallback, @wrapUp, @announce, @ring, @language, @music, @at
            FROM domains d WHERE d.name = @domain
            RETURNING id;
            """, tx)
            .Param("@domain", domain).Param("@name", queue.Name).Param("@number", queue.Number).Param("@strategy", queue.Strategy.ToText())
            .Param("@maxWait", Ms(queue.MaxWait)).Param("@fallback", queue.Fallback).Param("@wrapUp", Ms(queue.WrapUp))
            .Param("@announce", Ms(queue.AnnounceEvery)).Param("@ring", Ms(queue.RingTimeout)).Param("@language", queue.Language)
            .Param("@music", queue.HoldMusic).Param("@at", UnixTime.ToMs(time.GetUtcNow())))
        {
            try
            {
                if (await cmd.ExecuteScalarAsync(ct) is not { } inserted)
                {
                    throw new DirectoryConflictException($"The domain '{queue.Domain}' does not exist.");
                }

                id = Convert.ToInt64(inserted, System.Globalization.CultureInfo.InvariantCulture);
            }
            catch (DbException ex) when (db.IsUniqueViolation(ex))
            {
                throw new DirectoryConflictException($"The domain '{queue.Domain}' has a queue named '{queue.Name}' already.", ex);
            }
        }

        for (var i = 0; i < queue.Members.Count; i++)
        {
            await AddMemberAsync(c, tx, id, domain, queue.Members[i], i, ct);
        }

        await tx.CommitAsync(ct);
        return queue with { Id = id, Domain = domain };
    }

    public async Task<IReadOnlyList<QueueDefinition>> ListAsync(string? domain, CancellationToken ct = default)
    {
        await using var c = await db.OpenAsync(ct);
        var queues = new List<QueueDefinition>();
        await using (var cmd = c.Command($"SELECT {Columns} FROM queues q JOIN domains d ON d.id = q.domain_id WHERE @domain IS NULL OR d.name = @domain ORDER BY d.name, q.name;")
            .Param("@domain", domain?.ToLowerInvariant()))
        {
            await using var r = await cmd.ExecuteReaderAsync(ct);
            while (await r.ReadAsync(ct))
            {
                var strategy = QueueStrategies.TryParse(r.GetString(4), out var s) ? s : QueueStrategy.RingAll;
                queues.Add(new QueueDefinition(r.GetInt64(0), r.GetString(1), r.GetString(2), r.NullableString(3), strategy, [],
                    FromMs(r.GetInt64(5)), r.NullableString(6), FromMs(r.GetInt64(7)), FromMs(r.GetInt64(8)), FromMs(r.GetInt64(9)),
                    r.GetString(10), r.GetString(11)));
            }
        }

        var members = new Dictionary<long, List<string>>();
        await using (var cmd = c.Command("SELECT m.queue_id, e.number FROM queue_members m JOIN extensions e ON e.id = m.extension_id ORDER BY m.queue_id, m.position;"))
        {
            await using var r = await cmd.ExecuteReaderAsync(ct);
            while (await r.ReadAsync(ct))
            {
                var id = r.GetInt64(0);
                if (!members.TryGetValue(id, out var list))
                {
                    members[id] = list = [];
                }

                list.Add(r.GetString(1));
            }
        }

        return [.. queues.Select(q => q with { Members = members.GetValueOrDefault(q.Id) ?? [] })];
    }

    public async Task<long> ReadGenerationAsync(CancellationToken ct = default)
    {
        await using var c = await db.OpenAsync(ct);
        await using var cmd = c.Command("SELECT value FROM queue_generation WHERE id = 1;");
        return Convert.ToInt64(await cmd.ExecuteScalarAsync(ct), System.Globalization.CultureInfo.InvariantCulture);
    }

    public async Task<bool> RemoveAsync(string domain, string name, CancellationToken ct = default)
    {
        await using var c = await db.OpenAsync(ct);
        await using var cmd = c.Command("DELETE FROM queues WHERE name = @name AND domain_id = (SELECT id FROM domains WHERE name = @domain);")
            .Param("@domain", domain.ToLowerInvariant()).Param("@name", name);
        return await cmd.ExecuteNonQueryAsync(ct) > 0;
    }

    public async Task AddMemberAsync(string domain, string queue, string number, CancellationToken ct = default)
    {
        domain = domain.ToLowerInvariant();
        await using var c = await db.OpenAsync(ct);
        await using var tx = await c.BeginTransactionAsync(ct);
        await using var find = c.Command("""
            SELECT q.id, COALESCE((SELECT MAX(position) + 1 FROM queue_members m WHERE m.queue_id = q.id), 0)
            FROM queues q JOIN domains d ON d.id = q.domain_id WHERE d.name = @domain AND q.name = @name;
            """, tx).Param("@domain", domain).Param("@name", queue);
        long id;
        int position;
        await using (var r = await find.ExecuteReaderAsync(ct))
        {
            if (!await r.ReadAsync(ct))
            {
                throw new DirectoryConflictException($"The domain '{domain}' has no queue named '{queue}'.");
            }

            (id, position) = (r.GetInt64(0), Convert.ToInt32(r.GetValue(1), System.Globalization.CultureInfo.InvariantCulture));
        }

        await AddMemberAsync(c, tx, id, domain, number, position, ct);
        await tx.CommitAsync(ct);
    }

    public async Task<bool> RemoveMemberAsync(string domain, string queue, string number, CancellationToken ct = default)
    {
        await using var c = await db.OpenAsync(ct);
        await using var cmd = c.Command("""
            DELETE FROM queue_members
            WHERE queue_id = (SELECT q.id FROM queues q JOIN domains d ON d.id = q.domain_id WHERE d.name = @domain AND q.name = @name)
              AND extension_id = (SELECT e.id FROM extensions e JOIN domains d ON d.id = e.domain_id WHERE d.name = @domain AND e.number = @number);
            """).Param("@domain", domain.ToLowerInvariant()).Param("@name", queue).Param("@number", number);
        return await cmd.ExecuteNonQueryAsync(ct) > 0;
    }

    private async Task AddMemberAsync(DbConnection c, DbTransaction tx, long queueId, string domain, string number, int position, CancellationToken ct)
    {
        await using var cmd = c.Command("""
            INSERT INTO queue_members (queue_id, extension_id, position)
            SELECT @queue, e.id, @position FROM extensions e JOIN domains d ON d.id = e.domain_id WHERE d.name = @domain AND e.number = @number;
            """, tx).Param("@queue", queueId).Param("@position", position).Param("@domain", domain).Param("@number", number);
        try
        {
            if (await cmd.ExecuteNonQueryAsync(ct) == 0)
            {
                throw new DirectoryConflictException($"The domain '{domain}' has no extension {number}.");
            }
        }
        catch (DbException ex) when (db.IsUniqueViolation(ex))
        {
            throw new DirectoryConflictException($"Extension {number} is a member of that queue already.", ex);
        }
    }

    private static long Ms(TimeSpan span) => (long)span.TotalMilliseconds;

    private static TimeSpan FromMs(long ms) => TimeSpan.FromMilliseconds(ms);
}
