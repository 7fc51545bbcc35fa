package operators

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"reflect"
	"sync"
	"sync/atomic"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/runneldb/runnel/vector"
)

// Barrier is a marker that flows between batches: every change of every
// commit up to Seq has been delivered before it. Barriers reach every
// operator instance in the same order; an instance aligns them over its
// input channels. A barrier with a Checkpoint makes every stateful instance
// write its changed state into it.
type Barrier struct {
	Seq uint64
	// Round numbers the barriers sent: several may share a Seq (a
	// checkpoint when no commit came), never a Round.
	Round      uint64
	Checkpoint *Checkpoint
}

// Checkpoint gathers the state entries that the instances of running
// dataflows write for one epoch. Entries are complete once every dataflow
// that was running when the checkpoint began has acknowledged it: Done is
// closed then.
type Checkpoint struct {
	Epoch uint64
	Seq   uint64

	mu      sync.Mutex
	entries []StateEntry
	pending map[string]bool // the dataflows yet to acknowledge
	done    chan struct{}
}

// StateEntry is one state key to set (Value non-nil) or delete (Value nil).
type StateEntry struct {
	Key, Value []byte
}

// NewCheckpoint begins epoch epoch at commit seq, to be acknowledged by the
// dataflows of the given ids (DataflowConfig.ID).
func NewCheckpoint(epoch, seq uint64, ids []string) *Checkpoint {
	c := &Checkpoint{Epoch: epoch, Seq: seq, pending: map[string]bool{}, done: make(chan struct{})}
	for _, id := range ids {
		c.pending[id] = true
	}
	if len(ids) == 0 {
		close(c.done)
	}
	return c
}

// Done is closed once every dataflow acknowledged the checkpoint.
func (c *Checkpoint) Done() <-chan struct{} { return c.done }

// Entries returns the state written for the checkpoint; call it after Done.
func (c *Checkpoint) Entries() []StateEntry {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.entries
}

func (c *Checkpoint) add(es []StateEntry) {
	c.mu.Lock()
	c.entries = append(c.entries, es...)
	c.mu.Unlock()
}

// Ack records that dataflow id has written everything for the checkpoint
// (or will not: it stopped). Only the first Ack of an id counts.
func (c *Checkpoint) Ack(id string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.pending[id] {
		return
	}
	delete(c.pending, id)
	if len(c.pending) == 0 {
		close(c.done)
	}
}

// BarrierObserver is implemented by operators that act on barriers beyond
// Flush and Checkpoint (the materialization of a view publishes its
// contents at each barrier). Barrier is called after Flush and Checkpoint.
type BarrierObserver interface {
	Barrier(b *Barrier) error
}

// DataflowConfig says how to run a dataflow.
type DataflowConfig struct {
	// ID names the dataflow in checkpoint acknowledgements.
	ID string
	// Partitions is the number of instances of each keyed node, of each
	// source of splits and of the partition-local nodes they feed.
	Partitions int
	// StatePrefix starts every state key of the dataflow.
	StatePrefix []byte
	// LoadState calls fn with every entry stored under prefix, the prefix
	// removed; nil for a dataflow that starts empty.
	LoadState func(prefix []byte, fn func(key, value []byte) error) error
}

// Dataflow is a running graph of continuous operators. Its sources are fed
// by the caller (Feed); its root is the sink, whose instance acknowledges
// checkpoints.
//
// How many instances a node runs as (instanceCount) and how they are wired:
// a keyed node's instances each read every instance of each input, through
// a hash exchange; a partition-local node running as many instances as its
// inputs reads them one to one; any other node's only instance reads every
// instance of its inputs. An instance aligns barriers over all its input
// channels, and its input's watermark is the least over them.
type Dataflow struct {
	nodes  []*Node
	insts  []*instance
	root   *instance
	feeds  map[*Node]*sourceFeed
	cancel context.CancelFunc
	wg     sync.WaitGroup

	errOnce sync.Once
	err     error
	failed  chan struct{}
}

// sourceFeed is the input of a source node's instances, one channel each.
type sourceFeed struct {
	ins []chan Message
	// announced is set once the splits were all announced (see
	// Advance.announced): the instances have been told, or are being.
	announced atomic.Bool
}

// Nodes lists the dataflow's nodes, inputs before the nodes that read
// them; a node's index in it is its id in state keys.
func Nodes(root *Node) ([]*Node, error) {
	var order []*Node
	seen := map[*Node]bool{}
	var walk func(n *Node) error
	walk = func(n *Node) error {
		if seen[n] {
			return fmt.Errorf("operators: node %s is read twice", n.Name)
		}
		seen[n] = true
		for _, in := range n.Inputs {
			if err := walk(in); err != nil {
				return err
			}
		}
		order = append(order, n)
		return nil
	}
	return order, walk(root)
}

// StartDataflow restores (when cfg.LoadState is set) and starts the graph
// ending at root. It runs until Stop or until an instance fails.
func StartDataflow(root *Node, cfg DataflowConfig) (*Dataflow, error) {
	nodes, err := Nodes(root)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	d := &Dataflow{nodes: nodes, feeds: map[*Node]*sourceFeed{}, cancel: cancel, failed: make(chan struct{})}
	insts := make(map[*Node][]*instance, len(nodes))
	for id, n := range nodes {
		count := instanceCount(n, n == root, max(cfg.Partitions, 1), func(in *Node) int { return len(insts[in]) })
		for range count {
			op, err := n.New()
			if err != nil {
				cancel()
				return nil, err
			}
			prefix := binary.BigEndian.AppendUint32(append([]byte(nil), cfg.StatePrefix...), uint32(id))
			inst := &instance{node: n, op: op, prefix: prefix}
			inst.wmOut.Store(NoWatermark)
			insts[n] = append(insts[n], inst)
		}
		if len(n.Inputs) == 0 {
			f := &sourceFeed{}
			for _, inst := range insts[n] {
				c := make(chan Message, channelDepth)
				inst.addInput(0, c)
				f.ins = append(f.ins, c)
			}
			d.feeds[n] = f
		}
		for k, in := range n.Inputs {
			oneToOne := n.PartitionLocal && count == len(insts[in])
			for p, producer := range insts[in] {
				r := &router{types: in.Types()}
				consumers := insts[n]
				switch {
				case oneToOne:
					consumers = consumers[p : p+1]
				case n.Keys != nil:
					r.keys = n.Keys[k]
				}
				for _, consumer := range consumers {
					c := make(chan Message, channelDepth)
					consumer.addInput(k, c)
					r.out = append(r.out, c)
				}
				producer.out = r
			}
		}
		if cfg.LoadState != nil {
			if err := restore(insts[n], cfg.LoadState); err != nil {
				cancel()
				return nil, fmt.Errorf("restore %s: %w", n.Name, err)
			}
		}
	}
	insts[root][0].ackID = cfg.ID
	d.root = insts[root][0]
	for _, n := range nodes {
		for _, inst := range insts[n] {
			d.insts = append(d.insts, inst)
			d.wg.Add(1)
			go func() {
				defer d.wg.Done()
				if err := inst.run(ctx); err != nil && ctx.Err() == nil {
					d.fail(fmt.Errorf("%s: %w", inst.node.Name, err))
				}
			}()
		}
	}
	return d, nil
}

// instanceCount is how many instances node n runs as, given those of its
// inputs (count) and the dataflow's partitions p: p for a keyed node and a
// source of splits; for a partition-local node, p when each of its inputs
// runs as p; one for any other node, and for the root, whose instance
// acknowledges checkpoints.
func instanceCount(n *Node, root bool, p int, count func(*Node) int) int {
	switch {
	case root:
		return 1
	case n.Keyed(), n.splitSource():
		return p
	case n.PartitionLocal:
		for _, in := range n.Inputs {
			if count(in) != p {
				return 1
			}
		}
		return p
	}
	return 1
}

// Instances returns how many instances each node of the dataflow ending
// at root runs as with p partitions (for EXPLAIN).
func Instances(root *Node, p int) map[*Node]int {
	counts := map[*Node]int{}
	var walk func(n *Node)
	walk = func(n *Node) {
		for _, in := range n.Inputs {
			walk(in)
		}
		counts[n] = instanceCount(n, n == root, max(p, 1), func(in *Node) int { return counts[in] })
	}
	walk(root)
	return counts
}

// restore loads the state of a node's instances, giving each the keys that
// route to it: by their leading hash, or as the operator says
// (StateRouter).
func restore(insts []*instance, load func(prefix []byte, fn func(key, value []byte) error) error) error {
	if _, ok := insts[0].op.(Stateful); !ok {
		return nil
	}
	router, _ := insts[0].op.(StateRouter)
	return load(insts[0].prefix, func(key, value []byte) error {
		var p int
		switch {
		case router != nil:
			p = router.RouteState(key, len(insts))
		case len(key) < 8:
			return fmt.Errorf("state key %x too short", key)
		default:
			p = PartitionOf(binary.BigEndian.Uint64(key), len(insts))
		}
		return insts[p].op.(Stateful).Restore(key, value)
	})
}

// Fail stops the dataflow with err, unless it has stopped already.
func (d *Dataflow) Fail(err error) { d.fail(err) }

func (d *Dataflow) fail(err error) {
	d.errOnce.Do(func() {
		d.err = err
		close(d.failed)
		d.cancel()
	})
}

// Failed is closed when an instance failed; Err then says why.
func (d *Dataflow) Failed() <-chan struct{} { return d.failed }

// Err is the error that stopped the dataflow, or nil.
func (d *Dataflow) Err() error {
	select {
	case <-d.failed:
		return d.err
	default:
		return nil
	}
}

// Feed sends m to source node src. It blocks while the channel of the
// source's instance is full (backpressure) and fails once the dataflow has
// stopped.
//
// A message with an Advance goes to the instance reading its split, one
// with rows only (a table's) to instance 0, and barriers and watermarks to
// every instance. Right after the first rows of any split, every instance
// is told that the splits are announced (Advance.announced): the feeder of
// a source of splits is one caller at a time, as source.Output is called,
// and announces every split before any rows, so that each instance has had
// the announcements of its splits by then.
func (d *Dataflow) Feed(src *Node, m Message) error {
	f := d.feeds[src]
	switch {
	case len(f.ins) == 1:
		return d.send(f.ins[0], m)
	case m.Advance != nil:
		if err := d.send(f.ins[splitInstance(m.Advance.Split, len(f.ins))], m); err != nil {
			return err
		}
		if m.Batch == nil || f.announced.Load() || !f.announced.CompareAndSwap(false, true) {
			return nil
		}
		m = Message{Advance: &Advance{announced: true}}
	case m.Batch != nil:
		return d.send(f.ins[0], m)
	}
	for _, c := range f.ins {
		if err := d.send(c, m); err != nil {
			return err
		}
	}
	return nil
}

// send sends m on c, or fails once the dataflow has stopped.
func (d *Dataflow) send(c chan Message, m Message) error {
	select {
	case c <- m:
		return nil
	case <-d.failed:
		return d.err
	}
}

// Sources lists the source nodes.
func (d *Dataflow) Sources() []*Node {
	var out []*Node
	for _, n := range d.nodes {
		if len(n.Inputs) == 0 {
			out = append(out, n)
		}
	}
	return out
}

// LateRows is the number of late changes the dataflow's operators dropped
// (see LateCounter).
func (d *Dataflow) LateRows() int64 {
	var n int64
	for _, inst := range d.insts {
		n += inst.late.Load()
	}
	return n
}

// SkippedRows is the number of malformed records the dataflow's sources
// skipped (see SkipCounter).
func (d *Dataflow) SkippedRows() int64 {
	var n int64
	for _, inst := range d.insts {
		n += inst.skipped.Load()
	}
	return n
}

// Watermark is the watermark of the dataflow's output: NoWatermark until
// every input has one.
func (d *Dataflow) Watermark() int64 { return d.root.wmOut.Load() }

// errStopped is the error of a dataflow stopped by Stop.
var errStopped = errors.New("operators: dataflow stopped")

// Stop stops every instance and waits for them.
func (d *Dataflow) Stop() {
	d.fail(errStopped)
	d.wg.Wait()
}

// instance is one running copy of a node's operator.
//
// Invariant: blocked[c] is set for the input channels that delivered the
// barrier being aligned; the instance reads none of them until every
// channel did.
type instance struct {
	node   *Node
	op     Incremental
	prefix []byte // state key prefix: dataflow prefix + node id
	ins    []chan Message
	inputs []int // the node input of each channel
	out    *router
	// ackID is set on the root's instance: it acknowledges checkpoints.
	ackID string

	// Event time: wm and idle are the last watermark of each input
	// channel; inWM the watermark of each node input handed to the
	// operator; out the last watermark passed on.
	wm      []int64
	idle    []bool
	inWM    []int64
	wmLast  Watermark
	wmOut   atomic.Int64 // wmLast.T, for Dataflow.Watermark
	late    atomic.Int64 // the operator's LateRows
	skipped atomic.Int64 // the operator's SkippedRows
}

func (i *instance) addInput(k int, c chan Message) {
	i.ins = append(i.ins, c)
	i.inputs = append(i.inputs, k)
	i.wm = append(i.wm, NoWatermark)
	i.idle = append(i.idle, false)
	for len(i.inWM) <= k {
		i.inWM = append(i.inWM, NoWatermark)
	}
}

func (i *instance) emit(ctx context.Context) Emit {
	if i.out == nil {
		return func(*vector.Batch) error { return nil }
	}
	return func(b *vector.Batch) error { return i.out.send(ctx, b) }
}

func (i *instance) run(ctx context.Context) error {
	emit := i.emit(ctx)
	blocked := make([]bool, len(i.ins))
	nblocked := 0
	var cases []reflect.SelectCase
	var chanOf []int
	rebuild := func() {
		cases = append(cases[:0], reflect.SelectCase{Dir: reflect.SelectRecv, Chan: reflect.ValueOf(ctx.Done())})
		chanOf = chanOf[:0]
		for c, ch := range i.ins {
			if !blocked[c] {
				cases = append(cases, reflect.SelectCase{Dir: reflect.SelectRecv, Chan: reflect.ValueOf(ch)})
				chanOf = append(chanOf, c)
			}
		}
	}
	rebuild()
	i.wmLast = Watermark{T: NoWatermark}
	i.wmOut.Store(NoWatermark)
	lc, _ := i.op.(LateCounter)
	if lc != nil {
		i.late.Store(lc.LateRows()) // as restored
	}
	if sc, ok := i.op.(SkipCounter); ok {
		i.skipped.Store(sc.SkippedRows())
	}
	for {
		chosen, v, ok := reflect.Select(cases)
		if chosen == 0 {
			return nil
		}
		if !ok {
			return nil // inputs close only when the dataflow stops
		}
		c := chanOf[chosen-1]
		m := v.Interface().(Message)
		if m.Advance != nil {
			if adv, ok := i.op.(Advancer); ok {
				adv.Advance(m.Advance)
				if sc, ok := i.op.(SkipCounter); ok {
					i.skipped.Store(sc.SkippedRows())
				}
			}
		}
		if m.Batch != nil {
			if err := i.op.Push(i.inputs[c], m.Batch, emit); err != nil {
				return err
			}
			if lc != nil {
				i.late.Store(lc.LateRows())
			}
		}
		if m.Watermark != nil {
			i.wm[c], i.idle[c] = m.Watermark.T, m.Watermark.Idle
			if err := i.advance(ctx, emit); err != nil {
				return err
			}
		}
		if src, ok := i.op.(WatermarkSource); ok {
			if err := i.forward(ctx, src.CurrentWatermark()); err != nil {
				return err
			}
		}
		if m.Barrier == nil {
			continue
		}
		blocked[c] = true
		if nblocked++; nblocked < len(i.ins) {
			rebuild()
			continue
		}
		if err := i.barrier(ctx, m.Barrier, emit); err != nil {
			return err
		}
		clear(blocked)
		nblocked = 0
		rebuild()
	}
}

// advance recomputes the watermark of each input from its channels (the
// least over those not idle), tells the operator of those that advanced,
// and passes on the least over the inputs.
func (i *instance) advance(ctx context.Context, emit Emit) error {
	obs, _ := i.op.(WatermarkObserver)
	out := Watermark{T: EndOfTime, Idle: true}
	var idleInputs []int
	for k := range i.inWM {
		t, idle := EndOfTime, true
		for c, in := range i.inputs {
			if in == k && !i.idle[c] {
				t, idle = min(t, i.wm[c]), false
			}
		}
		if idle {
			idleInputs = append(idleInputs, k)
			continue
		}
		if t > i.inWM[k] {
			i.inWM[k] = t
			if obs != nil {
				if err := obs.Watermark(k, t, emit); err != nil {
					return err
				}
			}
		}
		out = Watermark{T: min(out.T, i.inWM[k])}
	}
	if out.Idle {
		out.T = i.wmLast.T
	} else {
		// An idle input holds nobody back: the operator sees it at the
		// others' watermark (what it sends later below that is late).
		for _, k := range idleInputs {
			if out.T > i.inWM[k] && out.T != NoWatermark {
				i.inWM[k] = out.T
				if obs != nil {
					if err := obs.Watermark(k, out.T, emit); err != nil {
						return err
					}
				}
			}
		}
	}
	return i.forward(ctx, out)
}

// forward passes watermark w on when it says more than the last one: a
// later time, or a change between idle and not. A watermark never goes
// back.
func (i *instance) forward(ctx context.Context, w Watermark) error {
	w.T = max(w.T, i.wmLast.T)
	if w == i.wmLast {
		return nil
	}
	i.wmLast = w
	i.wmOut.Store(w.T)
	if i.out == nil {
		return nil
	}
	return i.out.broadcast(ctx, Message{Watermark: &w})
}

// barrier runs an aligned barrier through the instance: flush, checkpoint,
// observe, pass it on.
func (i *instance) barrier(ctx context.Context, b *Barrier, emit Emit) error {
	if err := i.op.Flush(emit); err != nil {
		return err
	}
	if b.Checkpoint != nil {
		if s, ok := i.op.(Stateful); ok {
			w := &stateBuffer{prefix: i.prefix, epoch: b.Checkpoint.Epoch}
			if err := s.Checkpoint(w); err != nil {
				return err
			}
			b.Checkpoint.add(w.entries)
		}
	}
	if o, ok := i.op.(BarrierObserver); ok {
		if err := o.Barrier(b); err != nil {
			return err
		}
	}
	if i.out != nil {
		return i.out.broadcast(ctx, Message{Barrier: b})
	}
	if i.ackID != "" && b.Checkpoint != nil {
		b.Checkpoint.Ack(i.ackID)
	}
	return nil
}

// stateBuffer collects an instance's state entries for a checkpoint.
type stateBuffer struct {
	prefix  []byte
	epoch   uint64
	entries []StateEntry
}

// Epoch is the checkpoint's epoch.
func (s *stateBuffer) Epoch() uint64 { return s.epoch }

func (s *stateBuffer) key(k []byte) []byte {
	return append(append(make([]byte, 0, len(s.prefix)+len(k)), s.prefix...), k...)
}

func (s *stateBuffer) Put(k, v []byte) error {
	s.entries = append(s.entries, StateEntry{Key: s.key(k), Value: append([]byte{}, v...)})
	return nil
}

func (s *stateBuffer) Delete(k []byte) error {
	s.entries = append(s.entries, StateEntry{Key: s.key(k)})
	return nil
}

// router sends a producer instance's output to the instances of the node
// that reads it: all to one instance, or each row to the instance its key
// hash routes to. Barriers go to every instance.
type router struct {
	types  []vector.Type
	keys   []int // nil: every row to out[0]
	out    []chan Message
	hashes []uint64
	parts  [][]int32
}

func (r *router) send(ctx context.Context, b *vector.Batch) error {
	if b.Len == 0 {
		return nil
	}
	if len(r.out) == 1 {
		return Send(ctx, r.out[0], Message{Batch: b})
	}
	if cap(r.hashes) < b.Len {
		r.hashes = make([]uint64, b.Len)
	}
	h := r.hashes[:b.Len]
	cols := make([]arrow.Array, len(r.keys))
	types := make([]vector.Type, len(r.keys))
	for k, c := range r.keys {
		cols[k], types[k] = b.Cols[c], r.types[c]
	}
	vector.HashColumns(cols, types, b.Len, h)
	if r.parts == nil {
		r.parts = make([][]int32, len(r.out))
	}
	for p := range r.parts {
		r.parts[p] = r.parts[p][:0]
	}
	for i, hv := range h {
		p := PartitionOf(hv, len(r.out))
		r.parts[p] = append(r.parts[p], int32(i))
	}
	for p, idx := range r.parts {
		if len(idx) == 0 {
			continue
		}
		if err := Send(ctx, r.out[p], Message{Batch: vector.TakeRows(b, idx)}); err != nil {
			return err
		}
	}
	return nil
}

// broadcast sends m (a barrier or a watermark) to every instance.
func (r *router) broadcast(ctx context.Context, m Message) error {
	for _, c := range r.out {
		if err := Send(ctx, c, m); err != nil {
			return err
		}
	}
	return nil
}
