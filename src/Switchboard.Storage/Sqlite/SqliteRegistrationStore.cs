using System.Net;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Switchboard.Pbx.Registrar;
using Switchboard.Sip.Messages;
using Switchboard.Sip.Transport;

namespace Switchboard.Storage.Sqlite;

/// <summary>
/// UDP registrations in <c>registrations</c>. <see cref="Save"/> only queues (<see cref="QueuedWrites{T}"/>): the
/// REGISTERs that arrive together are written in one transaction, off the SIP endpoint's loop.
/// </summary>
public sealed partial class SqliteRegistrationStore : IRegistrationStore, IAsyncDisposable
{
    /// <summary>Changes waiting for the writer: a whole office re-registering at once after a power cut fits.</summary>
    private const int Capacity = 16_384;

    /// <summary>The local end of a loaded flow, which is not stored: the host replaces it with its own UDP socket's.</summary>
    private static readonly IPEndPoint UnknownLocal = new(IPAddress.Any, 0);

    private readonly SqliteDatabase _db;
    private readonly ILogger<SqliteRegistrationStore> _logger;
    private readonly QueuedWrites<(long ExtensionId, IReadOnlyList<ContactBinding> Bindings)> _writes;

    public SqliteRegistrationStore(SqliteDatabase db, ILogger<SqliteRegistrationStore> logger)
    {
        _db = db;
        _logger = logger;
        _writes = new(db, Capacity, Write, (batch, ex) => LogWriteFailed(_logger, ex, batch.Count));
    }

    public void Save(long extensionId, IReadOnlyList<ContactBinding> udpBindings)
    {
        ArgumentNullException.ThrowIfNull(udpBindings);
        if (!_writes.TryQueue((extensionId, udpBindings)))
        {
            LogNotSaved(_logger, extensionId);
        }
    }

    public async Task<IReadOnlyList<ContactBinding>> LoadAsync(DateTimeOffset now, CancellationToken ct = default)
    {
        await using var c = await _db.OpenAsync(ct);
        using var cmd = c.CreateCommand();
        cmd.CommandText = """
            SELECT extension_id, contact, remote, expires_at, instance_id, reg_id, call_id, cseq, user_agent
            FROM registrations WHERE expires_at > $now ORDER BY extension_id, position;
            """;
        cmd.Parameters.AddWithValue("$now", UnixTime.ToMs(now));
        var list = new List<ContactBinding>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
        {
            // Written by us from parsed values, so these parse; a row that does not (a hand-edited file) is skipped.
            if (SipUri.TryParse(r.GetString(1), out var contact) && IPEndPoint.TryParse(r.GetString(2), out var remote))
            {
                list.Add(new ContactBinding(r.GetInt64(0), contact, new SipFlow(SipTransportKind.Udp, UnknownLocal, remote), UnixTime.FromMs(r.GetInt64(3)),
                    r.IsDBNull(4) ? null : r.GetString(4), r.IsDBNull(5) ? null : r.GetInt32(5), r.GetString(6), (uint)r.GetInt64(7),
                    r.IsDBNull(8) ? null : r.GetString(8)));
            }
        }

        return list;
    }

    public ValueTask DisposeAsync() => _writes.DisposeAsync();

    /// <summary>The extension's bindings replace what was stored. Expired rows of quiet extensions stay until their next change (loading skips them): at most a few per extension.</summary>
    private void Write(SqliteConnection connection, SqliteTransaction tx, (long ExtensionId, IReadOnlyList<ContactBinding> Bindings) change)
    {
        using var delete = connection.CreateCommand();
        delete.Transaction = tx;
        delete.CommandText = "DELETE FROM registrations WHERE extension_id = $id;";
        delete.Parameters.AddWithValue("$id", change.ExtensionId);
        delete.ExecuteNonQuery();
        var position = 0;
        foreach (var b in change.Bindings)
        {
            using var insert = connection.CreateCommand();
            insert.Transaction = tx;
            insert.CommandText = """
                INSERT INTO registrations (extension_id, position, contact, remote, expires_at, instance_id, reg_id, call_id, cseq, user_agent)
                VALUES ($id, $position, $contact, $remote, $expires, $instance, $regId, $callId, $cseq, $agent);
                """;
            insert.Parameters.AddWithValue("$id", change.ExtensionId);
            insert.Parameters.AddWithValue("$position", position++);
            insert.Parameters.AddWithValue("$contact", b.Contact.ToString());
            insert.Parameters.AddWithValue("$remote", b.Flow.Remote.ToString());
            insert.Parameters.AddWithValue("$expires", UnixTime.ToMs(b.ExpiresAt));
            insert.Parameters.AddWithValue("$instance", (object?)b.InstanceId ?? DBNull.Value);
            insert.Parameters.AddWithValue("$regId", (object?)b.RegId ?? DBNull.Value);
            insert.Parameters.AddWithValue("$callId", b.CallId);
            insert.Parameters.AddWithValue("$cseq", (long)b.CSeq);
            insert.Parameters.AddWithValue("$agent", (object?)b.UserAgent ?? DBNull.Value);
            insert.ExecuteNonQuery();
        }
    }

    [LoggerMessage(EventId = 7030, Level = LogLevel.Warning, Message = "Extension {ExtensionId}: the registration writer is full; this change is not stored")]
    private static partial void LogNotSaved(ILogger logger, long extensionId);

    [LoggerMessage(EventId = 7031, Level = LogLevel.Warning, Message = "{Count} registration changes could not be stored; a restart would bring back older bindings")]
    private static partial void LogWriteFailed(ILogger logger, Exception exception, int count);
}
