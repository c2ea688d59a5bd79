package loadtest

import (
	"fmt"
	"io"
	"text/tabwriter"
	"time"
)

// Print writes the report as a person reads it.
func (r Report) Print(w io.Writer) {
	fmt.Fprintf(w, "node with %d synced websockets from %d loopback addresses (opened in %v); load average %s before, %s after\n",
		r.Conns, r.Sources, r.Dial.Round(time.Millisecond), r.LoadBefore, r.LoadAfter)
	fmt.Fprintln(w, "\nnode memory (RSS): as is, right after a GC, and once freed memory is returned to the system")
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "\tas is\tper conn\tafter GC\tper conn\treleased\tper conn\theap\tstacks\tgoroutines\t")
	row := func(name string, s MemorySample, delta bool) {
		per := func(v float64) string {
			if !delta {
				return "-"
			}
			return kb(v)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%d\t\n", name,
			mb(s.AsIs), per(r.PerConnAsIs(s)), mb(s.AfterGC), per(r.PerConnGC(s)), mb(s.AfterRelease), per(r.PerConn(s)),
			mb(s.Node.HeapInuse), mb(s.Node.StackInuse), s.Node.Goroutines)
	}
	row("empty node", r.Empty, false)
	row("idle, synced", r.Synced, true)
	row("idle after traffic", r.Busy, true)
	tw.Flush()
	fmt.Fprintf(w, "peak %s (%s per conn over the empty node)\n",
		mb(r.Peak), kb((float64(r.Peak)-float64(r.Empty.AfterGC))/float64(r.Conns)))
	if r.Synced.Kernel > 0 && r.Empty.Kernel > 0 {
		d := float64(r.Synced.Kernel) - float64(r.Empty.Kernel)
		fmt.Fprintf(w, "kernel slab (not RSS) grew %s with the connections: %s per connection, both ends' sockets together, "+
			"as the whole machine counts it\n", mb(uint64(max(d, 0))), kb(d/float64(r.Conns)))
	}

	if len(r.Fanouts) > 0 {
		fmt.Fprintln(w, "\nfan-out: from the send to each delivery, and to the last delivery of each message")
		tw = tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintln(tw, "members\tmessages\teach p50\teach p99\tlast p50\tlast p99\tlast max\tnode CPU/delivery\tclients CPU/delivery\t")
		for _, f := range r.Fanouts {
			fmt.Fprintf(tw, "%d\t%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t\n", f.Members, f.Messages,
				ms(f.Each.P50), ms(f.Each.P99), ms(f.Last.P50), ms(f.Last.P99), ms(f.Last.Max), us(f.NodeCPUPer()), us(f.ClientsCPUPer()))
		}
		tw.Flush()
	}
	if wr := r.Writes; wr != nil {
		fmt.Fprintf(w, "\nwrites: %d writers, %d messages in %v: %.0f writes/s; ack p50 %s, p99 %s, max %s\n",
			wr.Writers, wr.Writes, wr.Elapsed.Round(time.Millisecond), wr.PerSecond(), ms(wr.Ack.P50), ms(wr.Ack.P99), ms(wr.Ack.Max))
	}
	fmt.Fprintf(w, "\nwebsockets open at the end: %d of %d; dropped: %d\n", r.Open, r.Conns, r.Dropped)
}

func mb(b uint64) string        { return fmt.Sprintf("%.1f MB", float64(b)/(1<<20)) }
func kb(b float64) string       { return fmt.Sprintf("%.1f KB", b/1024) }
func us(d time.Duration) string { return fmt.Sprintf("%.1f µs", float64(d)/float64(time.Microsecond)) }
func ms(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d)/float64(time.Millisecond)) }
