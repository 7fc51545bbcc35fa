package operators

import (
	"cmp"
	"encoding/binary"
	"fmt"
	"math"
	"slices"
	"sort"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/runneldb/runnel/vector"
)

// incSession is one instance of NewSessionNode: session windows per key,
// over changes.
//
// State: a groupTable of the keys seen; per key (sessionKey) its open
// sessions in time order, each the entries of its rows in totalOrder
// (event time first); an entry per distinct row (its event time and
// aggregate inputs, copied out of the batch that brought it) with its
// multiplicity, always positive: an entry whose multiplicity drops to zero
// is freed at once. Rows are copied out of their batches a batch's new
// rows together, and copied anew once the copies hold more rows gone from
// state than rows in state (at a Checkpoint).
//
// Invariants: within a session, consecutive rows are less than gap apart;
// between the last row of a session and the first of the next there is at
// least gap. A session is clean when its output row is the one last
// emitted, dirty when it changed since (or is new); retract holds, per
// key, the output rows last emitted for the sessions that were clean when
// a change reached them, computed just before. Flush emits per key changed
// -retract +dirty, leaving out the pairs that are the same row, and
// cleans the key. A change reaches the sessions whose span widened by gap
// on the left, (first - gap, last + gap), holds its event time: at most
// two, which it merges (an insertion) or shrinks or splits (a deletion).
//
// The watermark t closes the sessions that end at t or before: the latest
// event time that could still join a session, its end - 1, is below t.
// Each key with sessions is listed in the index of the watermark (expiry)
// under that time for its first session, or an earlier one: a session
// that grows keeps its key's listing, and the watermark passing it lists
// the key again. The rows of the sessions closed are forgotten (their
// state deleted at the next Checkpoint), after their key emitted what it
// owed; a change below the watermark is dropped as late. A key without
// open sessions stays in the table until the table is compacted, at a
// Checkpoint once such keys are most of it.
//
// Flush recomputes the aggregates of the sessions changed, over all their
// rows, with the accumulators of NewHashAggregate; a change first reaching
// a clean session since the last Flush computes its old output the same way.
type incSession struct {
	gap      int64
	nKeys    int           // key columns, first in the layout of apply
	inCols   []int         // the input columns of that layout: keys, then stored
	keyTypes []vector.Type // of the key columns
	stored   []vector.Type // of the columns kept per row: event time, then aggregate inputs
	tsType   vector.Type
	aggs     []Aggregate // with Args and Filter indexing the stored columns
	order    totalOrder  // of stored rows

	table   *groupTable
	keys    []sessionKey // per group of table
	live    int          // keys with open sessions
	ents    []sessionEntry
	free    []int32 // unused entries
	copied  int     // rows copied since recopied: at least those entries refer to
	win     *windowed
	touched []int32 // keys changed since the last Flush (or Watermark)
	changed []int32 // entries changed since the last Checkpoint
	gone    []byte  // state keys of saved entries freed since then, end to end
	goneEnd []int   // where each ends in gone

	restored restoredRows
	ids      []int32 // scratch: the key of each row of a batch
	added    []int32 // scratch: the entries a batch added
	rowIdx   []int32 // scratch: their rows in the batch
	refs     []rowRef
	aggIDs   []int32 // scratch of aggregate: the session of each row of refs
	filtered []int32
	out      []sessionChange
}

// sessionKey is the state of one key of incSession.
type sessionKey struct {
	prefix   []byte        // state key prefix: routing hash and key columns; nil before any row
	sessions []sessionSpan // open, in time order
	retract  []sessionRow  // output rows to retract at the next Flush
	touched  bool          // listed in incSession.touched
	// due is the earliest value the key is listed under in the index of
	// the watermark, when listed: at most the end of its first session,
	// less 1.
	due    int64
	listed bool
}

// sessionSpan is an open session: its rows' entries, in order, and the
// event times of its first and last rows.
type sessionSpan struct {
	rows        []int32
	first, last int64
	dirty       bool
}

// sessionEntry is a distinct row of key key and its multiplicity. An
// unused entry is zero.
type sessionEntry struct {
	row     rowRef // the stored columns
	ts, n   int64
	key     int32
	changed bool // listed in incSession.changed
	saved   bool // written by a Checkpoint
}

// sessionRow is a session's output row, but for its key columns: its span
// and its aggregate values (row vals.i of a column per aggregate).
type sessionRow struct {
	start, end int64
	vals       rowRef
}

// sessionChange is an output row of key key with weight w.
type sessionChange struct {
	key int32
	row sessionRow
	w   int64
}

// NewSessionNode groups the changes of in into session windows per key
// (the columns keys; all rows are one key when keys is empty) over the
// event-time column ts (a timestamp or timestamptz) with gap µs (gap > 0):
// a key's rows sorted by ts, each row less than gap after the previous one
// is in its session; a session spans [first ts, last ts + gap). Rows with
// a NULL ts are in no session (once the input has a watermark, they are
// dropped as late, as operators on windows drop rows without a window).
// Output columns: the key columns,
// window_start and window_end (of ts's type), then one per aggregate,
// computed as NewHashAggregate does over the session's rows. Flush emits,
// for each session changed, the retraction of its old row and its new
// one.
//
// ts is the event time the input's watermark is about (a column whose
// bound is Bound{Kind: BoundTime, Lag: lag}). The watermark t closes the
// sessions ending at t or before (window_end's bound is Bound{Kind:
// BoundSessionEnd}): their rows are
// forgotten, their output rows stay. A change whose ts is below the input
// watermark is late (no later change was to be below it, and the sessions
// it could reach may be forgotten): it is dropped and counted.
func NewSessionNode(in *Node, keys []int, ts int, gap, lag int64, aggs []Aggregate) *Node {
	inTypes := in.Types()
	inCols := slices.Clone(keys)
	keyTypes := make([]vector.Type, len(keys))
	for k, c := range keys {
		keyTypes[k] = inTypes[c]
	}
	// The stored columns: ts, then each other column an aggregate reads.
	storedCols := []int{ts}
	local := func(c int) int {
		if k := slices.Index(storedCols, c); k >= 0 {
			return k
		}
		storedCols = append(storedCols, c)
		return len(storedCols) - 1
	}
	localAggs := make([]Aggregate, len(aggs))
	for a, agg := range aggs {
		agg.Args = slices.Clone(agg.Args)
		for i, c := range agg.Args {
			agg.Args[i] = local(c)
		}
		if agg.Filter >= 0 {
			agg.Filter = local(agg.Filter)
		}
		localAggs[a] = agg
	}
	stored := make([]vector.Type, len(storedCols))
	for k, c := range storedCols {
		stored[k] = inTypes[c]
	}
	inCols = append(inCols, storedCols...)
	types := append(slices.Clone(keyTypes), inTypes[ts], inTypes[ts])
	for _, agg := range aggs {
		types = append(types, agg.Type)
	}
	n := NewNode("Session", types, in)
	n.Detail = fmt.Sprintf("session($%d, %s) ", ts, time.Duration(gap)*time.Microsecond) + aggregateDetail(keys, aggs)
	n.State = "per key: the rows of its open sessions (event time and aggregate inputs) with their multiplicities; " +
		"a session's rows are forgotten once the watermark passes its end (never without a watermark)"
	if len(keys) > 0 {
		n.Keys = [][]int{keys}
	}
	n.New = func() (Incremental, error) {
		return &incSession{
			gap: gap, nKeys: len(keys), inCols: inCols, keyTypes: keyTypes, stored: stored,
			tsType: inTypes[ts], aggs: localAggs, order: newTotalOrder(stored, []SortKey{{Col: 0}}),
			table: newGroupTable(keyTypes), win: newWindowed(ts, Bound{Kind: BoundTime, Lag: lag}),
			restored: restoredRows{types: append(slices.Clone(keyTypes), stored...)},
		}, nil
	}
	return n
}

func (s *incSession) Push(_ int, b *vector.Batch, _ Emit) error {
	if err := s.settle(); err != nil {
		return err
	}
	if b = s.win.dropLate(b); b.Len == 0 {
		return nil
	}
	return s.apply(pick(b.Cols, s.inCols), b)
}

// apply adds the changes of b, whose columns are cols (the key columns,
// then the stored ones), to the sessions. Rows new to state are copied out
// of cols together.
func (s *incSession) apply(cols []arrow.Array, b *vector.Batch) error {
	keyCols, stored := cols[:s.nKeys], cols[s.nKeys:]
	ts := windowValues(stored[0])
	s.ids = grow(s.ids, b.Len)
	s.table.insert(keyCols, b.Len, s.ids)
	s.keys = extend(s.keys, s.table.len())
	if err := s.snapshot(b, stored[0], ts); err != nil {
		return err
	}
	s.added = s.added[:0]
	for i, g := range s.ids {
		w := b.Weight(i)
		if w == 0 || stored[0].IsNull(i) {
			continue
		}
		if k := &s.keys[g]; k.prefix == nil {
			k.prefix = binary.BigEndian.AppendUint64(make([]byte, 0, 16), s.table.hashes[g])
			k.prefix = vector.AppendRow(k.prefix, keyCols, s.keyTypes, i)
		}
		if err := s.change(g, rowRef{stored, i}, ts[i], w); err != nil {
			return err
		}
	}
	s.rowIdx = s.rowIdx[:0]
	for _, e := range s.added {
		s.rowIdx = append(s.rowIdx, int32(s.ents[e].row.i))
	}
	if len(s.rowIdx) > 0 {
		rows := vector.TakeColumns(stored, s.rowIdx)
		for k, e := range s.added {
			if s.ents[e].n != 0 { // else freed since
				s.ents[e].row = rowRef{rows, k}
			}
		}
		s.copied += len(s.rowIdx)
	}
	return nil
}

// snapshot computes, before the changes of b reach them, the output rows of
// the clean sessions they will reach, to retract at the next Flush, and
// marks those sessions dirty.
func (s *incSession) snapshot(b *vector.Batch, tsCol arrow.Array, ts []int64) error {
	var spans [][]int32
	var owners []int32
	var rows []sessionRow
	for i, g := range s.ids {
		if b.Weight(i) == 0 || tsCol.IsNull(i) {
			continue
		}
		ss := s.keys[g].sessions
		lo, hi := s.reached(ss, ts[i])
		for j := lo; j < hi; j++ {
			if sp := &ss[j]; !sp.dirty {
				sp.dirty = true
				spans, owners = append(spans, sp.rows), append(owners, g)
				rows = append(rows, sessionRow{start: sp.first, end: s.end(sp)})
			}
		}
	}
	if len(spans) == 0 {
		return nil
	}
	vals, err := s.aggregate(spans)
	if err != nil {
		return err
	}
	for j, g := range owners {
		rows[j].vals = rowRef{vals, j}
		s.keys[g].retract = append(s.keys[g].retract, rows[j])
	}
	return nil
}

// reached returns the sessions of ss that a change at event time ts
// reaches: ss[lo:hi], those whose (first - gap, last + gap) holds ts.
func (s *incSession) reached(ss []sessionSpan, ts int64) (lo, hi int) {
	lo = sort.Search(len(ss), func(j int) bool { return ts <= ss[j].last || s.near(ss[j].last, ts) })
	hi = lo
	for hi < len(ss) && (ss[hi].first <= ts || s.near(ts, ss[hi].first)) {
		hi++
	}
	return lo, hi
}

// near reports whether rows at event times a <= b are in one session: b
// is less than gap after a (without overflow, for any a <= b).
func (s *incSession) near(a, b int64) bool { return uint64(b)-uint64(a) < uint64(s.gap) }

// end is the end of session sp: its last event time plus gap, at most the
// largest time.
func (s *incSession) end(sp *sessionSpan) int64 {
	if sp.last > math.MaxInt64-s.gap {
		return math.MaxInt64
	}
	return sp.last + s.gap
}

// change adds w to the multiplicity of row r (event time ts) of key g,
// merging the sessions it reaches when it is new, shrinking or splitting
// its session when it leaves.
func (s *incSession) change(g int32, r rowRef, ts, w int64) error {
	s.touch(g)
	k := &s.keys[g]
	lo, hi := s.reached(k.sessions, ts)
	for j := lo; j < hi; j++ {
		sp := &k.sessions[j]
		if ts < sp.first || ts > sp.last {
			continue
		}
		pos, found := slices.BinarySearchFunc(sp.rows, r, s.compareEntry)
		if !found {
			break
		}
		e := sp.rows[pos]
		ent := &s.ents[e]
		ent.n += w
		s.markChanged(e)
		switch {
		case ent.n < 0:
			return errNegativeMultiplicity
		case ent.n == 0:
			s.removeRow(g, j, pos)
			s.list(g)
		}
		return nil
	}
	if w < 0 {
		return errNegativeMultiplicity
	}
	e := putSlot(&s.ents, &s.free, sessionEntry{row: r, ts: ts, n: w, key: g})
	s.markChanged(e)
	s.added = append(s.added, e)
	var rows []int32 // the rows of the sessions reached, in order: sessions own their arrays past their length
	if hi > lo {
		rows = k.sessions[lo].rows
		for j := lo + 1; j < hi; j++ {
			rows = append(rows, k.sessions[j].rows...)
		}
	}
	pos, _ := slices.BinarySearchFunc(rows, r, s.compareEntry)
	rows = slices.Insert(rows, pos, e)
	sp := sessionSpan{rows: rows, first: s.ents[rows[0]].ts, last: s.ents[rows[len(rows)-1]].ts, dirty: true}
	if len(k.sessions) == 0 {
		s.live++
	}
	k.sessions = slices.Replace(k.sessions, lo, hi, sp)
	s.list(g)
	return nil
}

// list lists key g in the index of the watermark if the first of its
// sessions ends before the key's earliest listing (which a later end does
// not need: the watermark reaching it finds the session open and lists the
// key again).
func (s *incSession) list(g int32) {
	k := &s.keys[g]
	if len(k.sessions) == 0 {
		return
	}
	if due := s.end(&k.sessions[0]) - 1; !k.listed || due < k.due {
		s.win.exp.add(due, g)
		k.due, k.listed = due, true
	}
}

// compareEntry orders entry e's row against row r.
func (s *incSession) compareEntry(e int32, r rowRef) int { return s.order.compare(s.ents[e].row, r) }

// removeRow frees the entry at position pos of session j of key g, whose
// multiplicity is zero, and shrinks or splits the session.
func (s *incSession) removeRow(g int32, j, pos int) {
	k := &s.keys[g]
	sp := &k.sessions[j]
	s.freeEntry(sp.rows[pos])
	rows := slices.Delete(sp.rows, pos, pos+1)
	switch {
	case len(rows) == 0:
		k.sessions = slices.Delete(k.sessions, j, j+1)
		if len(k.sessions) == 0 {
			k.sessions = nil
			s.live--
		}
		return
	case pos > 0 && pos < len(rows) && !s.near(s.ents[rows[pos-1]].ts, s.ents[rows[pos]].ts):
		before := sessionSpan{rows: rows[:pos:pos], first: sp.first, last: s.ents[rows[pos-1]].ts, dirty: true}
		after := sessionSpan{rows: rows[pos:], first: s.ents[rows[pos]].ts, last: sp.last, dirty: true}
		k.sessions = slices.Replace(k.sessions, j, j+1, before, after)
		return
	}
	sp.rows, sp.first, sp.last = rows, s.ents[rows[0]].ts, s.ents[rows[len(rows)-1]].ts
}

// touch lists key g as changed since the last Flush.
func (s *incSession) touch(g int32) {
	if k := &s.keys[g]; !k.touched {
		k.touched = true
		s.touched = append(s.touched, g)
	}
}

// markChanged lists entry e as changed since the last Checkpoint.
func (s *incSession) markChanged(e int32) {
	if ent := &s.ents[e]; !ent.changed {
		ent.changed = true
		s.changed = append(s.changed, e)
	}
}

// freeEntry makes entry e unused, keeping its state key for the next
// Checkpoint to delete when one wrote it.
func (s *incSession) freeEntry(e int32) {
	if s.ents[e].saved {
		s.gone = s.stateKey(s.gone, e)
		s.goneEnd = append(s.goneEnd, len(s.gone))
	}
	s.ents[e] = sessionEntry{}
	s.free = append(s.free, e)
}

// stateKey appends entry e's state key to dst: its key's prefix (the
// routing hash and the key columns) and its stored columns, encoded by
// vector.AppendRow.
func (s *incSession) stateKey(dst []byte, e int32) []byte {
	ent := &s.ents[e]
	dst = append(dst, s.keys[ent.key].prefix...)
	return vector.AppendRow(dst, ent.row.cols, s.stored, ent.row.i)
}

// aggregate computes the aggregates of each session (the rows of its
// entries, each as many times as its multiplicity) with the accumulators
// of NewHashAggregate: a column per aggregate, a row per session.
func (s *incSession) aggregate(sessions [][]int32) ([]arrow.Array, error) {
	refs, ids := s.refs[:0], s.aggIDs[:0]
	for j, rows := range sessions {
		for _, e := range rows {
			ent := &s.ents[e]
			for range ent.n {
				refs, ids = append(refs, ent.row), append(ids, int32(j))
			}
		}
	}
	s.refs, s.aggIDs = refs, ids
	cols := copyRows(s.stored, refs)
	clear(refs) // let go of the copies they refer to
	vals := make([]arrow.Array, len(s.aggs))
	for a, agg := range s.aggs {
		acc := newAccumulator(agg, s.stored)
		acc.resize(len(sessions))
		rows := ids
		if agg.Filter >= 0 {
			s.filtered = keepWhereTrue(cols[agg.Filter], ids, grow(s.filtered, len(ids)))
			rows = s.filtered
		}
		if err := acc.update(pick(cols, agg.Args), rows); err != nil {
			return nil, err
		}
		var err error
		if vals[a], err = acc.result(0, len(sessions)); err != nil {
			return nil, err
		}
	}
	return vals, nil
}

// Flush emits, for each key changed since the last Flush, the output rows
// of its sessions that changed.
func (s *incSession) Flush(emit Emit) error {
	if err := s.settle(); err != nil {
		return err
	}
	err := s.flushKeys(s.touched, emit)
	s.touched = s.touched[:0]
	return err
}

// flushKeys emits the changes the keys listed and still touched owe, and
// cleans them, a batch of rows at a time.
func (s *incSession) flushKeys(keys []int32, emit Emit) error {
	var batch []int32
	rows := 0
	for _, g := range keys {
		k := &s.keys[g]
		if !k.touched {
			continue
		}
		k.touched = false
		batch = append(batch, g)
		for _, sp := range k.sessions {
			if sp.dirty {
				rows += len(sp.rows)
			}
		}
		if rows >= BatchSize {
			if err := s.emitKeys(batch, emit); err != nil {
				return err
			}
			batch, rows = batch[:0], 0
		}
	}
	return s.emitKeys(batch, emit)
}

// emitKeys emits, for each of keys, -retract +dirty sessions but for the
// rows in both, and cleans its sessions.
func (s *incSession) emitKeys(keys []int32, emit Emit) error {
	var spans [][]int32
	for _, g := range keys {
		for _, sp := range s.keys[g].sessions {
			if sp.dirty {
				spans = append(spans, sp.rows)
			}
		}
	}
	var vals []arrow.Array
	if len(spans) > 0 {
		var err error
		if vals, err = s.aggregate(spans); err != nil {
			return err
		}
	}
	s.out = s.out[:0]
	j := 0
	var cur []sessionRow
	for _, g := range keys {
		k := &s.keys[g]
		cur = cur[:0]
		for x := range k.sessions {
			if sp := &k.sessions[x]; sp.dirty {
				sp.dirty = false
				cur = append(cur, sessionRow{start: sp.first, end: s.end(sp), vals: rowRef{vals, j}})
				j++
			}
		}
		slices.SortFunc(k.retract, func(a, b sessionRow) int { return cmp.Compare(a.start, b.start) })
		s.diff(g, k.retract, cur)
		k.retract = nil
	}
	return s.emitChanges(emit)
}

// diff adds to s.out cur minus old, rows of key g in order of start.
func (s *incSession) diff(g int32, old, cur []sessionRow) {
	for len(old) > 0 || len(cur) > 0 {
		switch {
		case len(cur) == 0 || len(old) > 0 && old[0].start < cur[0].start:
			s.out = append(s.out, sessionChange{g, old[0], -1})
			old = old[1:]
		case len(old) == 0 || cur[0].start < old[0].start:
			s.out = append(s.out, sessionChange{g, cur[0], 1})
			cur = cur[1:]
		default:
			if !s.sameRow(old[0], cur[0]) {
				s.out = append(s.out, sessionChange{g, old[0], -1}, sessionChange{g, cur[0], 1})
			}
			old, cur = old[1:], cur[1:]
		}
	}
}

// sameRow reports whether a and b are the same output row (of one key).
func (s *incSession) sameRow(a, b sessionRow) bool {
	if a.start != b.start || a.end != b.end {
		return false
	}
	for c := range s.aggs {
		if !sameValue(a.vals.cols[c], a.vals.i, b.vals.cols[c], b.vals.i) {
			return false
		}
	}
	return true
}

// emitChanges emits the rows of s.out as a batch.
func (s *incSession) emitChanges(emit Emit) error {
	n := len(s.out)
	if n == 0 {
		return nil
	}
	keys := make([]int32, n)
	starts, ends, weights := make([]int64, n), make([]int64, n), make([]int64, n)
	allOnes := true
	for i, c := range s.out {
		keys[i], starts[i], ends[i], weights[i] = c.key, c.row.start, c.row.end, c.w
		allOnes = allOnes && c.w == 1
	}
	cols := s.table.keyColumnsOf(keys)
	cols = append(cols, fixedColumn(s.tsType, starts, nil), fixedColumn(s.tsType, ends, nil))
	for a, agg := range s.aggs {
		b := vector.NewBuilder(agg.Type, n)
		for _, c := range s.out {
			b.AppendFrom(c.row.vals.cols[a], c.row.vals.i)
		}
		cols = append(cols, b.Finish())
	}
	out := vector.NewBatch(cols, n)
	if !allOnes {
		out.Weights = weights
	}
	s.out = s.out[:0]
	return emit(out)
}

func (s *incSession) LateRows() int64 { return s.win.late }

// Watermark emits every change owed, then forgets the sessions that t
// closes, those ending at t or before. Everything owed goes first, not
// only the closing sessions': a session extended past t since the last
// Flush owes the retraction of its old row, which may end before t, and
// downstream closes that row's window at t.
func (s *incSession) Watermark(_ int, t int64, emit Emit) error {
	if err := s.Flush(emit); err != nil {
		return err
	}
	s.win.wm = t
	if !s.win.closing(t) {
		return nil
	}
	var due, closing []int32 // the keys listed before t; those with sessions t closes
	err := s.win.exp.expire(t, func(_ int64, g int32) error {
		if k := &s.keys[g]; k.listed && s.win.exp.closed(k.due, t) {
			k.listed = false
			due = append(due, g)
			if len(k.sessions) > 0 && s.closed(&k.sessions[0], t) {
				closing = append(closing, g)
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, g := range closing {
		k := &s.keys[g]
		n := 0
		for n < len(k.sessions) && s.closed(&k.sessions[n], t) {
			for _, e := range k.sessions[n].rows {
				s.freeEntry(e)
			}
			n++
		}
		if k.sessions = slices.Delete(k.sessions, 0, n); len(k.sessions) == 0 {
			k.sessions = nil
			s.live--
		}
	}
	for _, g := range due {
		s.list(g)
	}
	return nil
}

// closed reports whether watermark t closes session sp: it ends at t or
// before, so that the latest event time that could join it, end - 1, is
// below t.
func (s *incSession) closed(sp *sessionSpan, t int64) bool { return s.win.exp.closed(s.end(sp)-1, t) }

// Checkpoint deletes the state of the rows forgotten since the last
// Checkpoint and writes each row changed since with its multiplicity,
// keyed by stateKey.
func (s *incSession) Checkpoint(w StateWriter) error {
	if err := s.settle(); err != nil {
		return err
	}
	start := 0
	for _, end := range s.goneEnd {
		if err := w.Delete(s.gone[start:end]); err != nil {
			return err
		}
		start = end
	}
	s.gone, s.goneEnd = s.gone[:0], s.goneEnd[:0]
	var key []byte
	for _, e := range s.changed {
		ent := &s.ents[e]
		if !ent.changed {
			continue // freed since
		}
		ent.changed, ent.saved = false, true
		key = s.stateKey(key[:0], e)
		if err := putCount(w, key, ent.n); err != nil {
			return err
		}
	}
	s.changed = s.changed[:0]
	if len(s.touched) == 0 {
		s.compact()
	}
	return nil
}

// compact copies the rows in state anew once the copies hold more rows
// gone than rows in state, and drops the keys without sessions from the
// table once they are most of it. It runs when no key is touched, so that
// key numbers are held only by entries and the watermark's index.
func (s *incSession) compact() {
	inUse := len(s.ents) - len(s.free)
	if s.copied > 2*inUse+BatchSize {
		refs := make([]*rowRef, 0, inUse)
		for e := range s.ents {
			if s.ents[e].n != 0 {
				refs = append(refs, &s.ents[e].row)
			}
		}
		recopyRows(s.stored, refs)
		s.copied = len(refs)
	}
	if !worthCompacting(s.table.len(), s.live) {
		return
	}
	keep := make([]int32, 0, s.live)
	renumber := make([]int32, len(s.keys))
	for g, k := range s.keys {
		if len(k.sessions) > 0 {
			renumber[g] = int32(len(keep))
			keep = append(keep, int32(g))
		}
	}
	for e := range s.ents {
		if s.ents[e].n != 0 {
			s.ents[e].key = renumber[s.ents[e].key]
		}
	}
	s.table = compactTable(s.table, keep)
	s.keys = gatherAt(s.keys, keep)
	s.win.exp = newExpiry(s.win.exp.bound)
	for g := range s.keys {
		s.keys[g].listed = false
		s.list(int32(g))
	}
}

func (s *incSession) Restore(key, value []byte) error {
	if len(key) < 8 {
		return errCorruptCounts
	}
	return s.restored.add(key[8:], value) // the key columns, then the stored ones
}

// settle adds the rows restored to the sessions, once Restore is done, as
// written and emitted before the restart.
func (s *incSession) settle() error {
	b := s.restored.take()
	if b == nil {
		return nil
	}
	if err := s.apply(b.Cols, b); err != nil {
		return err
	}
	for _, e := range s.changed {
		s.ents[e].changed, s.ents[e].saved = false, s.ents[e].n != 0
	}
	s.changed = s.changed[:0]
	for _, g := range s.touched {
		k := &s.keys[g]
		k.touched = false
		for j := range k.sessions {
			k.sessions[j].dirty = false
		}
	}
	s.touched = s.touched[:0]
	return nil
}
