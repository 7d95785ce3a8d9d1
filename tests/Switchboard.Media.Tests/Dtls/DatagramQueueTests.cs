using Switchboard.Media.Dtls;

namespace Switchboard.Media.Tests.Dtls;

public sealed class DatagramQueueTests
{
    [Fact]
    public void Keeps_order_copies_and_drops_when_full()
    {
        using var queue = new DatagramQueue(capacity: 2);
        byte[] source = [1, 2, 3];

        Assert.True(queue.TryEnqueue(source));
        source[0] = 9; // the queue holds a copy
        Assert.True(queue.TryEnqueue([4, 5]));
        Assert.False(queue.TryEnqueue([6]));
        Assert.Equal(1, queue.Dropped);

        var buffer = new byte[DtlsLimits.MaxDatagramSize];
        Assert.True(queue.TryDequeue(buffer, out int length));
        Assert.Equal([1, 2, 3], buffer[..length]);
        Assert.True(queue.TryDequeue(buffer, out length));
        Assert.Equal([4, 5], buffer[..length]);
        Assert.False(queue.TryDequeue(buffer, out _));
        Assert.True(queue.TryEnqueue([7]));
    }

    [Fact]
    public void Refuses_empty_and_oversized_datagrams()
    {
        using var queue = new DatagramQueue(capacity: 4);

        Assert.False(queue.TryEnqueue([]));
        Assert.False(queue.TryEnqueue(new byte[DtlsLimits.MaxDatagramSize + 1]));
        Assert.True(queue.TryEnqueue(new byte[DtlsLimits.MaxDatagramSize]));
        Assert.Equal(1, queue.Count);
    }

    [Fact]
    public void Blocking_dequeue_times_out_and_is_cancelable()
    {
        using var queue = new DatagramQueue(capacity: 4);
        var buffer = new byte[16];

        Assert.False(queue.TryDequeue(buffer, 1, CancellationToken.None, out _));
        using var canceled = new CancellationTokenSource();
        canceled.Cancel();
        Assert.Throws<OperationCanceledException>(() => queue.TryDequeue(buffer, Timeout.Infinite, canceled.Token, out _));
    }

    [Fact]
    public void Longer_datagram_is_truncated_to_the_destination_like_UDP()
    {
        using var queue = new DatagramQueue(capacity: 4);
        queue.TryEnqueue([1, 2, 3, 4]);
        var small = new byte[2];

        Assert.True(queue.TryDequeue(small, 0, CancellationToken.None, out int length));
        Assert.Equal(2, length);
        Assert.Equal([1, 2], small);
    }

    [Fact]
    public void A_queue_that_carried_a_handshake_keeps_a_few_hundred_bytes_for_the_rest_of_the_call()
    {
        // Each WebRTC leg keeps two queues for its whole call (issue 9: memory per bridged call). The
        // handshake's flights pass through as a few datagrams at a time; afterwards the queue is empty.
        var buffer = new byte[DtlsLimits.MaxDatagramSize];
        Span<byte> datagram = stackalloc byte[200];
        using (var warmUp = new DatagramQueue(capacity: 4))
        {
            // The shared pool's first rents and returns allocate the pool's own arrays: not the queue's.
            for (int i = 0; i < 4; i++)
            {
                warmUp.TryEnqueue(datagram);
            }

            while (warmUp.TryDequeue(buffer, out _))
            {
            }
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        using var queue = new DatagramQueue(capacity: 64);
        for (int flight = 0; flight < 3; flight++)
        {
            for (int i = 0; i < 4; i++)
            {
                Assert.True(queue.TryEnqueue(datagram));
            }

            while (queue.TryDequeue(buffer, out _))
            {
            }
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        // A ConcurrentQueue's first segment alone took about 1 KB.
        Assert.InRange(allocated, 1, 768);
    }
}
