using System.Net;
using System.Data.Common;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Switchboard.Pbx.Registrar;
using Switchboard.Sip.Messages;
using Switchboard.Sip.Transport;

namespace Switchboard.Storage;

/// <summary>
/// UDP registrations in <c>registrations</c>. <see cref="Save"/> only queues (<see cref="QueuedWrites{T}"/>): the
/// REGISTERs that arrive together are written in one transaction, off the SIP endpoint's loop.
/// </summary>
public sealed partial class SqlRegistrationStore : IRegistrationStore, IAsyncDisposable
{
    /// <summary>Changes waiting for the writer: a whole office re-registering at once after a power cut fits.</summary>
    private const int Capacity = 16_384;

    /// <summary>The local end of a loaded flow, which is not stored: the host replaces it with its own UDP socket's.</summary>
    private static readonly IPEndPoint UnknownLocal = new(IPAddress.Any, 0);

    private readonly StoreDatabase _db;
    private readonly ILogger<SqlRegistrationStore> _logger;
    private readonly QueuedWrites<(long ExtensionId, IReadOnlyList<ContactBinding> Bindings)> _writes;

    public SqlRegistrationStore(StoreDatabase db, ILogger<SqlRegistrationStore> logger, Pbx.Diagnostics.PbxHistograms? histograms = null)
    {
        _db = db;
        _logger = logger;
        _writes = new(db, Capacity, WriteAsync, (batch, ex) => LogWriteFailed(_logger, ex, batch.Count), "registrations", histograms);
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
        await using var cmd = c.Command("""
            SELECT extension_id, contact, remote, expires_at, instance_id, reg_id, call_id, cseq, user_agent, path
            FROM registrations WHERE expires_at > @now ORDER BY extension_id, position;
            """).Param("@now", UnixTime.ToMs(now));
        var list = new List<ContactBinding>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
        {
            // Written by us from parsed values, so these parse; a row that does not (a hand-edited file) is skipped.
            if (SipUri.TryParse(r.GetString(1), out var contact) && IPEndPoint.TryParse(r.GetString(2), out var remote))
            {
                list.Add(new ContactBinding(r.GetInt64(0), contact, new SipFlow(SipTransportKind.Udp, UnknownLocal, remote), UnixTime.FromMs(r.GetInt64(3)),
                    r.NullableString(4), r.IsDBNull(5) ? null : r.GetInt32(5), r.GetString(6), (uint)r.GetInt64(7),
                    r.NullableString(8), ReadPath(r.NullableString(9))));
            }
        }

        return list;
    }

    public ValueTask DisposeAsync() => _writes.DisposeAsync();

    /// <summary>The extension's bindings replace what was stored. Expired rows of quiet extensions stay until their next change (loading skips them): at most a few per extension.</summary>
    private static async Task WriteAsync(DbConnection connection, DbTransaction tx, (long ExtensionId, IReadOnlyList<ContactBinding> Bindings) change)
    {
        await using (var delete = connection.Command("DELETE FROM registrations WHERE extension_id = @id;", tx).Param("@id", change.ExtensionId))
        {
            await delete.ExecuteNonQueryAsync();
        }

        var position = 0;
        foreach (var b in change.Bindings)
        {
            await using var insert = connection.Command("""
                INSERT INTO registrations (extension_id, position, contact, remote, expires_at, instance_id, reg_id, call_id, cseq, user_agent, path)
                VALUES (@id, @position, @contact, @remote, @expires, @instance, @regId, @callId, @cseq, @agent, @path);
                """, tx)
                .Param("@id", change.ExtensionId).Param("@position", position++).Param("@contact", b.Contact.ToString())
                .Param("@remote", b.Flow.Remote.ToString()).Param("@expires", UnixTime.ToMs(b.ExpiresAt)).Param("@instance", b.InstanceId)
                .Param("@regId", b.RegId).Param("@callId", b.CallId).Param("@cseq", (long)b.CSeq).Param("@agent", b.UserAgent)
                .Param("@path", b.Path is { Count: > 0 } path ? JsonSerializer.Serialize(path) : null);
            await insert.ExecuteNonQueryAsync();
        }
    }

    /// <summary>The stored Path (a JSON array of the header values), or none; a value that is not one is taken as none.</summary>
    private static string[]? ReadPath(string? json)
    {
        if (json is null)
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize<string[]>(json) is { } path && Array.TrueForAll(path, p => !string.IsNullOrEmpty(p)) ? path : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    [LoggerMessage(EventId = 7030, Level = LogLevel.Warning, Message = "Extension {ExtensionId}: the registration writer is full; this change is not stored")]
    private static partial void LogNotSaved(ILogger logger, long extensionId);

    [LoggerMessage(EventId = 7031, Level = LogLevel.Warning, Message = "{Count} registration changes could not be stored; a restart would bring back older bindings")]
    private static partial void LogWriteFailed(ILogger logger, Exception exception, int count);
}
