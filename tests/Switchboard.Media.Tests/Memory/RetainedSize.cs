using System.Reflection;
using System.Runtime.CompilerServices;

namespace Switchboard.Media.Tests.Memory;

/// <summary>
/// Estimates the managed bytes an object graph retains by walking its fields with reflection
/// (object header 16 bytes, fields at their natural size, arrays 24 bytes plus their elements,
/// rounded to 8). Objects already seen (<see cref="Exclude"/>: another session's graph, so what two
/// sessions share is not charged to either) are not counted again. An estimate, checked against
/// <see cref="GC.GetTotalMemory(bool)"/> by the test that uses it.
/// </summary>
internal sealed class RetainedSize
{
    private readonly HashSet<object> _seen = new(ReferenceEqualityComparer.Instance);

    /// <summary>Walks <paramref name="root"/>'s graph and marks it, counting nothing.</summary>
    public void Exclude(object? root) => Walk(root);

    /// <summary>Bytes reachable from <paramref name="root"/> not seen before; they are marked seen.</summary>
    public long Measure(object? root) => Walk(root);

    /// <summary>True when <paramref name="o"/> was not seen yet.</summary>
    public bool IsNew(object o) => !_seen.Contains(o);

    /// <summary>The object's own size (not what its fields reference); it is marked seen.</summary>
    public long MeasureShallow(object o)
    {
        _seen.Add(o);
        long size = 16;
        foreach (var field in Fields(o.GetType()))
        {
            size += SizeOf(field.FieldType);
        }

        return Align(Math.Max(24, size));
    }

    private long Walk(object? root)
    {
        long total = 0;
        var pending = new Stack<object>();
        if (root is not null && _seen.Contains(root))
        {
            return 0;
        }

        Push(root, pending);
        while (pending.Count > 0)
        {
            var o = pending.Pop();
            var type = o.GetType();
            if (type.IsArray)
            {
                var array = (Array)o;
                var element = type.GetElementType()!;
                total += Align(24 + (long)array.Length * SizeOf(element));
                if (!element.IsPrimitive && !element.IsPointer && !element.IsEnum)
                {
                    foreach (var item in array)
                    {
                        if (element.IsValueType)
                        {
                            WalkStruct(item, pending);
                        }
                        else
                        {
                            Push(item, pending);
                        }
                    }
                }

                continue;
            }

            if (o is string s)
            {
                total += Align(22 + (2L * s.Length));
                continue;
            }

            long size = 16;
            foreach (var field in Fields(type))
            {
                size += SizeOf(field.FieldType);
                Follow(field, o, pending);
            }

            total += Align(Math.Max(24, size));
        }

        return total;
    }

    private void WalkStruct(object? boxed, Stack<object> pending)
    {
        if (boxed is null)
        {
            return;
        }

        foreach (var field in Fields(boxed.GetType()))
        {
            Follow(field, boxed, pending);
        }
    }

    private void Follow(FieldInfo field, object owner, Stack<object> pending)
    {
        var t = field.FieldType;
        if (t.IsPrimitive || t.IsPointer || t.IsEnum || t == typeof(IntPtr) || t == typeof(UIntPtr) || t.IsByRefLike)
        {
            return;
        }

        if (t.IsValueType)
        {
            WalkStruct(field.GetValue(owner), pending);
        }
        else
        {
            Push(field.GetValue(owner), pending);
        }
    }

    private void Push(object? o, Stack<object> pending)
    {
        // Types and reflection objects are the runtime's, shared by everything.
        if (o is null || o is Type || o is MemberInfo || o is Assembly || o is Delegate { Target: null } || !_seen.Add(o))
        {
            return;
        }

        pending.Push(o);
    }

    /// <summary>The instance fields of <paramref name="type"/> and its base types.</summary>
    internal static IEnumerable<FieldInfo> Fields(Type type)
    {
        for (var t = type; t is not null; t = t.BaseType)
        {
            foreach (var f in t.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
            {
                yield return f;
            }
        }
    }

    private static long SizeOf(Type t)
    {
        if (!t.IsValueType)
        {
            return 8;
        }

        if (t.IsEnum)
        {
            return SizeOf(Enum.GetUnderlyingType(t));
        }

        if (t.IsPrimitive || t == typeof(IntPtr) || t == typeof(UIntPtr) || t.IsPointer)
        {
            return t == typeof(bool) || t == typeof(byte) || t == typeof(sbyte) ? 1
                : t == typeof(short) || t == typeof(ushort) || t == typeof(char) ? 2
                : t == typeof(int) || t == typeof(uint) || t == typeof(float) ? 4
                : 8;
        }

        return (long)typeof(Unsafe).GetMethod(nameof(Unsafe.SizeOf))!.MakeGenericMethod(t).Invoke(null, null)!.GetHashCode();
    }

    private static long Align(long size) => (size + 7) & ~7L;
}
