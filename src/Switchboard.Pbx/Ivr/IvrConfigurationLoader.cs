using System.Globalization;
using System.Text.Json;

namespace Switchboard.Pbx.Ivr;

/// <summary>
/// Reads ivr.json (format in docs/ivr.md) and checks it whole: every error names its field, as in
/// <c>menus[0].options["7"]: destination '' is empty</c>. Unknown fields are errors too, so a typo
/// does not silently fall back to a default.
/// </summary>
public static class IvrConfigurationLoader
{
    public const string FileName = "ivr.json";

    private static readonly JsonDocumentOptions Options = new() { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true };

    /// <summary>The file at <paramref name="path"/>, or <see cref="IvrConfiguration.Demo"/> when it does not exist.</summary>
    public static bool TryLoadFile(string path, out IvrConfiguration configuration, out string? error)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path))
        {
            configuration = IvrConfiguration.Demo;
            error = null;
            return true;
        }

        string json;
        try
        {
            json = File.ReadAllText(path);
        }
        catch (IOException ex)
        {
            configuration = IvrConfiguration.Demo;
            error = $"{path}: {ex.Message}";
            return false;
        }

        return TryParse(json, out configuration, out error);
    }

    public static bool TryParse(string json, out IvrConfiguration configuration, out string? error)
    {
        configuration = IvrConfiguration.Demo;
        try
        {
            using var document = JsonDocument.Parse(json, Options);
            var reader = new Reader();
            var result = reader.ReadRoot(document.RootElement);
            error = reader.Error ?? CheckReferences(result);
            if (error is not null)
            {
                return false;
            }

            configuration = result;
            return true;
        }
        catch (JsonException ex)
        {
            error = $"not JSON: {ex.Message}";
            return false;
        }
    }

    /// <summary>Names unique, and every menu: and group: destination pointing at something that exists.</summary>
    private static string? CheckReferences(IvrConfiguration configuration)
    {
        var menus = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < configuration.Menus.Count; i++)
        {
            if (!menus.Add(configuration.Menus[i].Name))
            {
                return $"menus[{i}].name: '{configuration.Menus[i].Name}' is used twice";
            }
        }

        var groups = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < configuration.RingGroups.Count; i++)
        {
            if (!groups.Add(configuration.RingGroups[i].Name))
            {
                return $"ringGroups[{i}].name: '{configuration.RingGroups[i].Name}' is used twice";
            }
        }

        for (var i = 0; i < configuration.Menus.Count; i++)
        {
            foreach (var (key, destination) in configuration.Menus[i].Options)
            {
                if (Unresolved(destination, menus, groups) is { } problem)
                {
                    return $"menus[{i}].options[\"{key}\"]: {problem}";
                }
            }
        }

        for (var i = 0; i < configuration.RingGroups.Count; i++)
        {
            if (configuration.RingGroups[i].Fallback is { } fallback && Unresolved(fallback, menus, groups) is { } problem)
            {
                return $"ringGroups[{i}].fallback: {problem}";
            }
        }

        return null;
    }

    private static string? Unresolved(string destination, HashSet<string> menus, HashSet<string> groups) =>
        IvrDestinations.MenuName(destination) is { } menu && !menus.Contains(menu) ? $"no menu named '{menu}'"
        : IvrDestinations.RingGroupName(destination) is { } group && !groups.Contains(group) ? $"no ring group named '{group}'"
        : null;

    /// <summary>Walks the document, keeping the first error with its path.</summary>
    private sealed class Reader
    {
        public string? Error { get; private set; }

        public IvrConfiguration ReadRoot(JsonElement root)
        {
            var menus = new List<IvrMenu>();
            var groups = new List<RingGroup>();
            if (!Expect(root, JsonValueKind.Object, "(root)") || !OnlyKnown(root, "(root)", "menus", "ringGroups"))
            {
                return new IvrConfiguration(menus, groups);
            }

            if (!root.TryGetProperty("menus", out var menuArray))
            {
                Fail("menus: is missing (at least one menu)");
            }
            else if (Expect(menuArray, JsonValueKind.Array, "menus"))
            {
                if (menuArray.GetArrayLength() == 0)
                {
                    Fail("menus: needs at least one menu");
                }

                var i = 0;
                foreach (var menu in menuArray.EnumerateArray())
                {
                    if (ReadMenu(menu, $"menus[{i++}]") is { } read)
                    {
                        menus.Add(read);
                    }
                }
            }

            if (root.TryGetProperty("ringGroups", out var groupArray) && Expect(groupArray, JsonValueKind.Array, "ringGroups"))
            {
                var i = 0;
                foreach (var group in groupArray.EnumerateArray())
                {
                    if (ReadRingGroup(group, $"ringGroups[{i++}]") is { } read)
                    {
                        groups.Add(read);
                    }
                }
            }

            return new IvrConfiguration(menus, groups);
        }

        private IvrMenu? ReadMenu(JsonElement menu, string path)
        {
            if (!Expect(menu, JsonValueKind.Object, path) ||
                !OnlyKnown(menu, path, "name", "prompt", "options", "timeoutSeconds", "maxRetries", "invalidPrompt", "goodbyePrompt"))
            {
                return null;
            }

            var name = RequiredString(menu, "name", path);
            var prompt = OptionalString(menu, "prompt", path) ?? IvrDestinations.WelcomePrompt;
            var options = ReadOptions(menu, path);
            var timeout = OptionalSeconds(menu, "timeoutSeconds", path) ?? IvrMenu.DefaultTimeout;
            var retries = OptionalInt(menu, "maxRetries", path) ?? IvrMenu.DefaultMaxRetries;
            if (retries < 0)
            {
                Fail($"{path}.maxRetries: {retries} is negative");
            }

            var invalid = OptionalString(menu, "invalidPrompt", path) ?? IvrDestinations.InvalidPrompt;
            var goodbye = OptionalString(menu, "goodbyePrompt", path) ?? IvrDestinations.GoodbyePrompt;
            return name is null || options is null
                ? null
                : new IvrMenu(name, prompt, options) { Timeout = timeout, MaxRetries = retries, InvalidPrompt = invalid, GoodbyePrompt = goodbye };
        }

        private Dictionary<char, string>? ReadOptions(JsonElement menu, string path)
        {
            if (!menu.TryGetProperty("options", out var options))
            {
                Fail($"{path}.options: is missing");
                return null;
            }

            if (!Expect(options, JsonValueKind.Object, $"{path}.options"))
            {
                return null;
            }

            var result = new Dictionary<char, string>();
            foreach (var option in options.EnumerateObject())
            {
                var at = $"{path}.options[\"{option.Name}\"]";
                if (option.Name.Length != 1 || !IvrDestinations.IsKey(option.Name[0]))
                {
                    Fail($"{at}: '{option.Name}' is not a key (0-9, * or #)");
                }
                else if (option.Value.ValueKind != JsonValueKind.String)
                {
                    Fail($"{at}: destination must be a string");
                }
                else if (option.Value.GetString() is not { } destination || string.IsNullOrWhiteSpace(destination))
                {
                    Fail($"{at}: destination '{option.Value.GetString()}' is empty");
                }
                else
                {
                    result[option.Name[0]] = destination.Trim();
                }
            }

            return result;
        }

        private RingGroup? ReadRingGroup(JsonElement group, string path)
        {
            if (!Expect(group, JsonValueKind.Object, path) || !OnlyKnown(group, path, "name", "members", "ringTimeoutSeconds", "fallback"))
            {
                return null;
            }

            var name = RequiredString(group, "name", path);
            var members = new List<string>();
            if (!group.TryGetProperty("members", out var memberArray))
            {
                Fail($"{path}.members: is missing");
            }
            else if (Expect(memberArray, JsonValueKind.Array, $"{path}.members"))
            {
                var i = 0;
                foreach (var member in memberArray.EnumerateArray())
                {
                    if (member.ValueKind == JsonValueKind.String)
                    {
                        members.Add(member.GetString()!);
                    }
                    else
                    {
                        Fail($"{path}.members[{i}]: must be a string");
                    }

                    i++;
                }
            }

            var timeout = OptionalSeconds(group, "ringTimeoutSeconds", path) ?? RingGroup.DefaultRingTimeout;
            var fallback = OptionalString(group, "fallback", path, allowEmpty: true);
            if (name is null)
            {
                return null;
            }

            var ringGroup = new RingGroup(name, members, timeout, fallback);
            if (ringGroup.Validate() is { } problem)
            {
                Fail($"{path}.{problem}");
            }

            return ringGroup;
        }

        private string? RequiredString(JsonElement element, string field, string path)
        {
            var value = OptionalString(element, field, path);
            if (value is null && !element.TryGetProperty(field, out _))
            {
                Fail($"{path}.{field}: is missing");
            }

            return value;
        }

        private string? OptionalString(JsonElement element, string field, string path, bool allowEmpty = false)
        {
            if (!element.TryGetProperty(field, out var value))
            {
                return null;
            }

            if (value.ValueKind != JsonValueKind.String)
            {
                Fail($"{path}.{field}: must be a string");
                return null;
            }

            var text = value.GetString()!;
            if (!allowEmpty && string.IsNullOrWhiteSpace(text))
            {
                Fail($"{path}.{field}: is empty");
                return null;
            }

            return text;
        }

        private int? OptionalInt(JsonElement element, string field, string path)
        {
            if (!element.TryGetProperty(field, out var value))
            {
                return null;
            }

            if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt32(out var number))
            {
                Fail($"{path}.{field}: must be a whole number");
                return null;
            }

            return number;
        }

        private TimeSpan? OptionalSeconds(JsonElement element, string field, string path)
        {
            if (!element.TryGetProperty(field, out var value))
            {
                return null;
            }

            if (value.ValueKind != JsonValueKind.Number || !value.TryGetDouble(out var seconds) || seconds <= 0 || seconds > 3600)
            {
                Fail($"{path}.{field}: {value.GetRawText()} is not a number of seconds between 0 and 3600");
                return null;
            }

            return TimeSpan.FromSeconds(seconds);
        }

        private bool OnlyKnown(JsonElement element, string path, params string[] known)
        {
            foreach (var property in element.EnumerateObject())
            {
                if (Array.IndexOf(known, property.Name) < 0)
                {
                    Fail($"{path}.{property.Name}: unknown field (known: {string.Join(", ", known)})");
                    return false;
                }
            }

            return true;
        }

        private bool Expect(JsonElement element, JsonValueKind kind, string path)
        {
            if (element.ValueKind == kind)
            {
                return true;
            }

            Fail(string.Create(CultureInfo.InvariantCulture, $"{path}: must be an {kind.ToString().ToLowerInvariant()}"));
            return false;
        }

        private void Fail(string error) => Error ??= error;
    }
}
