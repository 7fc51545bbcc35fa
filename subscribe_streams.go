package runnel

import (
	"context"
	"math"

	"github.com/runneldb/runnel/catalog"
	"github.com/runneldb/runnel/vector"
)

// SUBSCRIBE in the streams: the hubs of the views subscribed to, and the
// transient dataflows of subscribed queries.

// subscribeRegistry is the SUBSCRIBE state of the streams, under
// streams.mu: the hub of each view subscribed to, and the transient
// dataflows of subscribed queries, by the query they compute.
type subscribeRegistry struct {
	opts       SubscribeOptions
	hubs       map[uint32]*subscribeHub
	transients map[string]uint32
	lastID     uint32
}

// transientViewIDs is where the ids of transient dataflows start: they
// count down from the top of the id space, far above catalog OIDs.
const transientViewIDs = 0xF000_0000

// isTransientView reports whether id is a transient dataflow's.
func isTransientView(id uint32) bool { return id >= transientViewIDs }

// newTransientID hands out the id of a transient dataflow. The caller
// holds sm.mu.
func (r *subscribeRegistry) newTransientID(sm *streams) uint32 {
	for {
		if r.lastID <= transientViewIDs {
			r.lastID = math.MaxUint32
		} else {
			r.lastID--
		}
		if sm.views[r.lastID] == nil {
			return r.lastID
		}
	}
}

// forget drops the hub of view id; a transient dataflow stops. The caller
// holds sm.mu.
func (r *subscribeRegistry) forget(sm *streams, id uint32) {
	delete(r.hubs, id)
	if !isTransientView(id) {
		return
	}
	for key, tid := range r.transients {
		if tid == id {
			delete(r.transients, key)
		}
	}
	sm.dropView(id)
}

// subscribe opens a subscription to tgt starting at start, as of every
// commit published so far (the session's own among them). It returns the
// subscription, the snapshot (weighted batches) and its timestamp.
func (sm *streams) subscribe(ctx context.Context, tgt *subscribeTarget, start subscribeStart) (*subscription, []*vector.Batch, int64, error) {
	sm.mu.Lock()
	defer sm.mu.Unlock()
	reg := &sm.subscriptions
	id := tgt.view
	if tgt.plan != nil {
		var err error
		if id, err = sm.transientView(ctx, tgt); err != nil {
			return nil, nil, 0, err
		}
	}
	rv := sm.views[id]
	if rv == nil {
		return nil, nil, 0, vector.Errorf(vector.CodeObjectNotInPrerequisiteState, "%s is not running", tgt.name)
	}
	// The view catches up with the commits so far without holding up the
	// feed; then, under mu, with the few delivered meanwhile.
	sm.deliverLocked(false)
	round := sm.round
	sm.mu.Unlock()
	err := rv.view.WaitRound(ctx, round)
	sm.mu.Lock()
	if err == nil {
		err = rv.view.WaitRound(ctx, sm.round)
	}
	if err != nil {
		sm.dropIdleTransient(id)
		if ctx.Err() != nil {
			return nil, nil, 0, ctxError(ctx)
		}
		return nil, nil, 0, err
	}
	h := reg.hubs[id]
	if h == nil {
		h = newSubscribeHub(sm, id, tgt.name, rv, tgt.deps)
		if reg.hubs == nil {
			reg.hubs = map[uint32]*subscribeHub{}
		}
		reg.hubs[id] = h
	} else if err := h.waitRound(ctx, sm.round); err != nil {
		return nil, nil, 0, err
	}
	sub, snap, at, err := h.open(start)
	if err != nil {
		h.mu.Lock()
		h.idleLocked()
		h.mu.Unlock()
		return nil, nil, 0, err
	}
	return sub, snap, at, nil
}

// transientView returns the running transient dataflow of tgt's query,
// started (and backfilled) if there is none. The caller holds mu, which
// is released while the dataflow backfills.
func (sm *streams) transientView(ctx context.Context, tgt *subscribeTarget) (uint32, error) {
	reg := &sm.subscriptions
	key := tgt.key()
	if id, ok := reg.transients[key]; ok {
		if rv := sm.views[id]; rv != nil && rv.flow.Err() == nil {
			return id, nil
		}
		reg.forget(sm, id)
	}
	if err := sm.quiesce(ctx); err != nil {
		if ctx.Err() != nil {
			return 0, ctxError(ctx)
		}
		return 0, err
	}
	id := reg.newTransientID(sm)
	t := &catalog.Table{ID: id, Kind: catalog.KindMaterializedView, Name: tgt.name, Query: tgt.query}
	rv, err := sm.launch(t, tgt.plan, false)
	if err != nil {
		return 0, err
	}
	if reg.transients == nil {
		reg.transients = map[string]uint32{}
	}
	reg.transients[key] = id
	pos := sm.position
	sm.mu.Unlock()
	err = rv.view.Wait(ctx, pos)
	sm.mu.Lock()
	if err != nil {
		sm.dropIdleTransient(id)
		if ctx.Err() != nil {
			return 0, ctxError(ctx)
		}
		return 0, err
	}
	return id, nil
}

// dropIdleTransient stops transient dataflow id when no hub streams it
// (a subscription that failed to start). The caller holds mu.
func (sm *streams) dropIdleTransient(id uint32) {
	if isTransientView(id) && sm.subscriptions.hubs[id] == nil {
		sm.subscriptions.forget(sm, id)
	}
}
