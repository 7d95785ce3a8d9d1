namespace Switchboard.Storage.Sqlite;

/// <summary>
/// The schema's history on SQLite. A migration, once released, is never edited: a change is a new entry, with the same
/// number and meaning in <see cref="Postgres.PostgresMigrations"/>. The file's version is SQLite's <c>user_version</c>.
/// Times are Unix milliseconds (UTC).
/// </summary>
internal static class SqliteMigrations
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
        new(3, """
            CREATE TABLE dial_rules (
                id INTEGER PRIMARY KEY,
                domain_id INTEGER NOT NULL REFERENCES domains(id) ON DELETE CASCADE,
                extension_id INTEGER REFERENCES extensions(id) ON DELETE CASCADE,
                position INTEGER NOT NULL,
                pattern TEXT NOT NULL,
                trunk TEXT NOT NULL,
                strip INTEGER NOT NULL,
                prefix TEXT NOT NULL
            );
            CREATE INDEX dial_rules_owner ON dial_rules(domain_id, extension_id, position);
            CREATE TABLE extension_permissions (
                extension_id INTEGER PRIMARY KEY REFERENCES extensions(id) ON DELETE CASCADE,
                classes TEXT NOT NULL
            );
            CREATE TABLE domain_limits (
                domain_id INTEGER PRIMARY KEY REFERENCES domains(id) ON DELETE CASCADE,
                concurrent INTEGER,
                per_minute INTEGER
            );
            CREATE TABLE extension_limits (
                extension_id INTEGER PRIMARY KEY REFERENCES extensions(id) ON DELETE CASCADE,
                concurrent INTEGER,
                per_minute INTEGER
            );
            CREATE TABLE click_to_call_allow (
                domain_id INTEGER NOT NULL REFERENCES domains(id) ON DELETE CASCADE,
                pattern TEXT NOT NULL,
                PRIMARY KEY (domain_id, pattern)
            );
            CREATE TABLE number_class_patterns (
                domain_id INTEGER NOT NULL REFERENCES domains(id) ON DELETE CASCADE,
                class TEXT NOT NULL,
                position INTEGER NOT NULL,
                pattern TEXT NOT NULL,
                PRIMARY KEY (domain_id, class, position)
            );
            """),
        new(5, """
            CREATE TABLE trunks (
                id INTEGER PRIMARY KEY,
                domain_id INTEGER NOT NULL REFERENCES domains(id) ON DELETE CASCADE,
                name TEXT NOT NULL,
                proxy TEXT NOT NULL,
                transport TEXT NOT NULL,
                username TEXT NOT NULL,
                password_sealed BLOB NOT NULL,
                register INTEGER NOT NULL,
                position INTEGER NOT NULL,
                carrier_domain TEXT,
                from_user TEXT,
                asserted_identity TEXT,
                dids TEXT NOT NULL DEFAULT '',
                created_at INTEGER NOT NULL,
                UNIQUE (domain_id, name)
            );
            """),
        new(4, """
            ALTER TABLE extensions ADD COLUMN role TEXT NOT NULL DEFAULT 'user';
            CREATE INDEX call_records_domain_started ON call_records(domain, started_at);
            """),
        // Every change to domains or extensions, by this process or another one on the same file (the admin CLI),
        // bumps one counter, so a directory cache knows when to drop what it holds (docs/security.md, "Directory cache").
        new(6, """
            CREATE TABLE directory_generation (
                id INTEGER PRIMARY KEY CHECK (id = 1),
                value INTEGER NOT NULL
            );
            INSERT INTO directory_generation (id, value) VALUES (1, 0);
            CREATE TRIGGER domains_insert_generation AFTER INSERT ON domains BEGIN UPDATE directory_generation SET value = value + 1; END;
            CREATE TRIGGER domains_update_generation AFTER UPDATE ON domains BEGIN UPDATE directory_generation SET value = value + 1; END;
            CREATE TRIGGER domains_delete_generation AFTER DELETE ON domains BEGIN UPDATE directory_generation SET value = value + 1; END;
            CREATE TRIGGER extensions_insert_generation AFTER INSERT ON extensions BEGIN UPDATE directory_generation SET value = value + 1; END;
            CREATE TRIGGER extensions_update_generation AFTER UPDATE ON extensions BEGIN UPDATE directory_generation SET value = value + 1; END;
            CREATE TRIGGER extensions_delete_generation AFTER DELETE ON extensions BEGIN UPDATE directory_generation SET value = value + 1; END;
            """),
        new(7, "ALTER TABLE call_records ADD COLUMN phases TEXT;"),

        // Crash safety (docs/call-records.md, "Calls up when the PBX dies"): a marker per call that is up, removed in the
        // transaction that writes its record, and the last time the record writer knew the process alive.
        new(8, """
            CREATE TABLE live_calls (
                call_id TEXT PRIMARY KEY,
                domain TEXT NOT NULL,
                from_account TEXT NOT NULL,
                destination TEXT NOT NULL,
                origin TEXT NOT NULL,
                route TEXT NOT NULL,
                started_at INTEGER NOT NULL,
                answered_at INTEGER,
                updated_at INTEGER NOT NULL
            );
            CREATE TABLE node_state (
                id INTEGER PRIMARY KEY CHECK (id = 1),
                alive_at INTEGER NOT NULL
            );
            INSERT INTO node_state (id, alive_at) VALUES (1, 0);
            """),

        // The login throttle's lockouts, so a restart does not lift them (docs/security.md, "Rate limits and lockouts").
        new(9, """
            CREATE TABLE login_lockouts (
                key TEXT PRIMARY KEY,
                until INTEGER NOT NULL
            );
            """),

        // UDP registrations, so a restart keeps them (docs/sip-registrar.md, "Restarts"); each extension's in refresh order.
        new(10, """
            CREATE TABLE registrations (
                extension_id INTEGER NOT NULL REFERENCES extensions(id) ON DELETE CASCADE,
                position INTEGER NOT NULL,
                contact TEXT NOT NULL,
                remote TEXT NOT NULL,
                expires_at INTEGER NOT NULL,
                instance_id TEXT,
                reg_id INTEGER,
                call_id TEXT NOT NULL,
                cseq INTEGER NOT NULL,
                user_agent TEXT,
                PRIMARY KEY (extension_id, position)
            );
            """),

        // Website call tokens and the in-page widget (docs/tokens.md, docs/widget.md): API keys and the tokens they mint,
        // both kept as SHA-256 only; the origins allowed to embed a domain's calls; the token's label on the call record.
        new(12, """
            CREATE TABLE api_keys (
                id INTEGER PRIMARY KEY,
                domain_id INTEGER NOT NULL REFERENCES domains(id) ON DELETE CASCADE,
                key_id TEXT NOT NULL UNIQUE,
                key_hash BLOB NOT NULL,
                caller_extension_id INTEGER NOT NULL REFERENCES extensions(id) ON DELETE CASCADE,
                label TEXT,
                created_at INTEGER NOT NULL,
                revoked_at INTEGER
            );
            CREATE TABLE call_tokens (
                token_hash BLOB PRIMARY KEY,
                api_key_id INTEGER NOT NULL REFERENCES api_keys(id) ON DELETE CASCADE,
                caller_extension_id INTEGER NOT NULL REFERENCES extensions(id) ON DELETE CASCADE,
                destination TEXT NOT NULL,
                label TEXT,
                max_duration_ms INTEGER,
                created_at INTEGER NOT NULL,
                expires_at INTEGER NOT NULL,
                used_at INTEGER
            );
            CREATE INDEX call_tokens_expires ON call_tokens(expires_at);
            CREATE TABLE domain_origins (
                domain_id INTEGER NOT NULL REFERENCES domains(id) ON DELETE CASCADE,
                origin TEXT NOT NULL,
                PRIMARY KEY (domain_id, origin)
            );
            ALTER TABLE call_records ADD COLUMN token_label TEXT;
            ALTER TABLE live_calls ADD COLUMN token_label TEXT;
            """),

        // Several nodes on one database (docs/scale-out.md, "When a node dies"): each live marker names the process
        // that wrote it, and each process keeps a heartbeat of its own, so one node's markers are recorded as
        // interrupted when that node stops beating, not when another node starts. '' is the single node of before.
        new(13, """
            ALTER TABLE live_calls ADD COLUMN node TEXT NOT NULL DEFAULT '';
            CREATE TABLE node_heartbeats (
                node TEXT PRIMARY KEY,
                alive_at INTEGER NOT NULL
            );
            INSERT INTO node_heartbeats (node, alive_at) SELECT '', alive_at FROM node_state WHERE id = 1;
            DROP TABLE node_state;
            """),

        // Call quality (docs/call-records.md, docs/media.md "Call quality"): each side's media leg over the call, from RTCP,
        // with the E-model MOS, and the popup's own last report as JSON.
        new(14, """
            ALTER TABLE call_records ADD COLUMN caller_loss_pct REAL;
            ALTER TABLE call_records ADD COLUMN caller_jitter_ms REAL;
            ALTER TABLE call_records ADD COLUMN caller_rtt_ms REAL;
            ALTER TABLE call_records ADD COLUMN caller_mos REAL;
            ALTER TABLE call_records ADD COLUMN callee_loss_pct REAL;
            ALTER TABLE call_records ADD COLUMN callee_jitter_ms REAL;
            ALTER TABLE call_records ADD COLUMN callee_rtt_ms REAL;
            ALTER TABLE call_records ADD COLUMN callee_mos REAL;
            ALTER TABLE call_records ADD COLUMN page_quality TEXT;
            """),

        // Queues (docs/queues.md): their settings and members, and on the call record the queue, the wait and the agent.
        new(15, """
            CREATE TABLE queues (
                id INTEGER PRIMARY KEY,
                domain_id INTEGER NOT NULL REFERENCES domains(id) ON DELETE CASCADE,
                name TEXT NOT NULL,
                number TEXT,
                strategy TEXT NOT NULL,
                max_wait_ms INTEGER NOT NULL,
                fallback TEXT,
                wrap_up_ms INTEGER NOT NULL,
                announce_ms INTEGER NOT NULL,
                ring_ms INTEGER NOT NULL,
                language TEXT NOT NULL,
                hold_music TEXT NOT NULL,
                created_at INTEGER NOT NULL,
                UNIQUE (domain_id, name)
            );
            CREATE TABLE queue_members (
                queue_id INTEGER NOT NULL REFERENCES queues(id) ON DELETE CASCADE,
                extension_id INTEGER NOT NULL REFERENCES extensions(id) ON DELETE CASCADE,
                position INTEGER NOT NULL,
                PRIMARY KEY (queue_id, extension_id)
            );
            ALTER TABLE call_records ADD COLUMN queue TEXT;
            ALTER TABLE call_records ADD COLUMN queue_wait_ms INTEGER;
            ALTER TABLE call_records ADD COLUMN agent TEXT;
            """),

        // A registration's Path (RFC 3327), so that after a restart calls to a phone behind the proxy still go through it.
        new(16, """
            ALTER TABLE registrations ADD COLUMN path TEXT;
            """),

        // Every change to queues or their members bumps one counter, so a running server reloads them (docs/queues.md).
        new(17, """
            CREATE TABLE queue_generation (
                id INTEGER PRIMARY KEY CHECK (id = 1),
                value INTEGER NOT NULL
            );
            INSERT INTO queue_generation (id, value) VALUES (1, 0);
            CREATE TRIGGER queues_insert_generation AFTER INSERT ON queues BEGIN UPDATE queue_generation SET value = value + 1; END;
            CREATE TRIGGER queues_update_generation AFTER UPDATE ON queues BEGIN UPDATE queue_generation SET value = value + 1; END;
            CREATE TRIGGER queues_delete_generation AFTER DELETE ON queues BEGIN UPDATE queue_generation SET value = value + 1; END;
            CREATE TRIGGER queue_members_insert_generation AFTER INSERT ON queue_members BEGIN UPDATE queue_generation SET value = value + 1; END;
            CREATE TRIGGER queue_members_update_generation AFTER UPDATE ON queue_members BEGIN UPDATE queue_generation SET value = value + 1; END;
            CREATE TRIGGER queue_members_delete_generation AFTER DELETE ON queue_members BEGIN UPDATE queue_generation SET value = value + 1; END;
            """),
    ];
}
