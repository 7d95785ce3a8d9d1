namespace Switchboard.Storage.Sqlite;

/// <summary>
/// The schema's history. A migration, once released, is never edited: a change is a new entry.
/// The file's version is SQLite's <c>user_version</c>. Times are Unix milliseconds (UTC).
/// </summary>
internal static class Migrations
{
    public static IReadOnlyList<Migration> All { get; } =
    [
        new(1, """
            CREATE TABLE domains (
                id INTEGER PRIMARY KEY,
                name TEXT NOT NULL UNIQUE COLLATE NOCASE,
                created_at INTEGER NOT NULL
            );
            CREATE TABLE extensions (
                id INTEGER PRIMARY KEY,
                domain_id INTEGER NOT NULL REFERENCES domains(id) ON DELETE CASCADE,
                number TEXT NOT NULL,
                display_name TEXT NOT NULL,
                web_password BLOB NOT NULL,
                sip_password BLOB NOT NULL,
                created_at INTEGER NOT NULL,
                UNIQUE (domain_id, number)
            );
            CREATE TABLE sessions (
                id INTEGER PRIMARY KEY,
                token_hash BLOB NOT NULL UNIQUE,
                extension_id INTEGER NOT NULL REFERENCES extensions(id) ON DELETE CASCADE,
                language TEXT NOT NULL,
                created_at INTEGER NOT NULL,
                expires_at INTEGER NOT NULL,
                revoked_at INTEGER
            );
            CREATE TABLE login_failures (
                id INTEGER PRIMARY KEY,
                at INTEGER NOT NULL,
                account TEXT NOT NULL,
                address TEXT NOT NULL,
                path TEXT NOT NULL,
                reason TEXT NOT NULL
            );
            CREATE INDEX login_failures_at ON login_failures(at);
            CREATE TABLE call_records (
                id INTEGER PRIMARY KEY,
                call_id TEXT NOT NULL UNIQUE,
                domain TEXT NOT NULL,
                from_account TEXT NOT NULL,
                destination TEXT NOT NULL,
                origin TEXT NOT NULL,
                route TEXT NOT NULL,
                started_at INTEGER NOT NULL,
                answered_at INTEGER,
                ended_at INTEGER NOT NULL,
                reason TEXT NOT NULL,
                ended_by TEXT NOT NULL,
                digits TEXT
            );
            CREATE INDEX call_records_started ON call_records(started_at);
            """),
        new(2, """
            ALTER TABLE call_records ADD COLUMN digit_log TEXT;
            """),

        // Version 3 belongs to another branch; this one touches nothing it does, so either order applies.
        new(4, """
            ALTER TABLE extensions ADD COLUMN role TEXT NOT NULL DEFAULT 'user';
            CREATE INDEX call_records_domain_started ON call_records(domain, started_at);
            """),
    ];
}

internal sealed record Migration(int Version, string Sql);
