package runnel

import (
	"cmp"
	"slices"
	"sync"
	"time"

	"github.com/runneldb/runnel/catalog"
)

// The sessions of a database as pg_stat_activity shows them. Each session
// notes what it runs when a statement starts and forgets itself when it
// closes; readers see the notes, never the sessions' own state (which
// belongs to their goroutines).

// activityBoard holds the notes of the sessions of one database.
type activityBoard struct {
	mu       sync.Mutex
	nextPID  int32
	sessions map[*Session]*catalog.Activity
}

// noteActivity records that s starts running the statement sql.
func (s *Session) noteActivity(sql string) {
	b := &s.db.sessions
	now := time.Now()
	b.mu.Lock()
	defer b.mu.Unlock()
	a := b.sessions[s]
	if a == nil {
		b.nextPID++
		a = &catalog.Activity{PID: b.nextPID, BackendStart: now}
		b.sessions[s] = a
	}
	app, _ := s.settings.get("application_name")
	a.User, a.ApplicationName, a.Query, a.QueryStart, a.StateChange = s.user, app, sql, now, now
	a.XactStart = now
	if s.txn != nil && !s.implicit {
		a.XactStart = s.txnStart
	}
}

// forgetActivity removes the closed session s from the board.
func (s *Session) forgetActivity() {
	b := &s.db.sessions
	b.mu.Lock()
	defer b.mu.Unlock()
	delete(b.sessions, s)
}

// activity lists the sessions of db as session self sees them: itself
// active, the others idle (in a transaction when their last statement
// ran in a block), by PID.
func (db *DB) activity(self *Session) []catalog.Activity {
	b := &db.sessions
	b.mu.Lock()
	defer b.mu.Unlock()
	out := make([]catalog.Activity, 0, len(b.sessions))
	for s, a := range b.sessions {
		row := *a
		switch {
		case s == self:
			row.State = "active"
		case !a.XactStart.Equal(a.QueryStart):
			row.State, row.QueryStart = "idle in transaction", a.QueryStart
		default:
			row.State, row.XactStart = "idle", time.Time{}
		}
		out = append(out, row)
	}
	slices.SortFunc(out, func(a, b catalog.Activity) int { return cmp.Compare(a.PID, b.PID) })
	return out
}
