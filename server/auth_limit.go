package server

import (
	"sync"
	"time"
)

// Failed password logins from a host slow down its next attempts, so that
// passwords cannot be guessed quickly, while other hosts are not slowed.
const (
	// loginFreeFailures is how many failures in a row a host may have
	// before its attempts wait.
	loginFreeFailures = 3
	// loginFirstDelay is the wait after loginFreeFailures failures; each
	// further failure doubles it, up to loginMaxDelay.
	loginFirstDelay = 500 * time.Millisecond
	loginMaxDelay   = 30 * time.Second
	// loginForget is how long after its last failure a host starts afresh.
	loginForget = 15 * time.Minute
	// loginMaxHosts bounds the hosts remembered: beyond it the hosts
	// whose last failure is older than loginForget are forgotten.
	loginMaxHosts = 10000
)

// loginLimiter spaces the password attempts of hosts that failed
// repeatedly: once a host failed loginFreeFailures times in a row, each
// attempt from it starts at least delay(failures) after the previous one
// started, concurrent attempts taking successive turns. A successful login
// forgets the host's failures.
//
// Invariant: hosts holds only hosts with at least one failure.
type loginLimiter struct {
	now   func() time.Time
	mu    sync.Mutex
	hosts map[string]*loginFailures
}

// loginFailures is what the limiter knows of a host.
type loginFailures struct {
	count int       // failures in a row
	last  time.Time // of the last failure
	next  time.Time // the earliest start of the host's next attempt
}

func newLoginLimiter(now func() time.Time) *loginLimiter {
	return &loginLimiter{now: now, hosts: map[string]*loginFailures{}}
}

// loginDelay is the spacing of attempts after count failures in a row.
func loginDelay(count int) time.Duration {
	if count < loginFreeFailures {
		return 0
	}
	d := loginFirstDelay
	for i := loginFreeFailures; i < count && d < loginMaxDelay; i++ {
		d *= 2
	}
	return min(d, loginMaxDelay)
}

// reserve takes the next turn of an attempt from host and returns how long
// the attempt must wait for it.
func (l *loginLimiter) reserve(host string) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	f := l.current(host)
	d := loginDelay(f.count)
	if d == 0 {
		return 0
	}
	now := l.now()
	start := now
	if f.next.After(now) {
		start = f.next
	}
	f.next = start.Add(d)
	return start.Sub(now)
}

// failed records a failed login from host.
func (l *loginLimiter) failed(host string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	f := l.current(host)
	if f.count == 0 {
		if len(l.hosts) >= loginMaxHosts {
			l.forgetOld()
		}
		l.hosts[host] = f
	}
	f.count++
	f.last = l.now()
}

// succeeded forgets host's failures.
func (l *loginLimiter) succeeded(host string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.hosts, host)
}

// failures is how many failures in a row the limiter holds against host.
func (l *loginLimiter) failures(host string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.current(host).count
}

// current returns host's record, a fresh one (not stored) when the host
// has none or its last failure is forgotten. The caller holds mu.
func (l *loginLimiter) current(host string) *loginFailures {
	f := l.hosts[host]
	if f == nil || l.now().Sub(f.last) > loginForget {
		delete(l.hosts, host)
		return &loginFailures{}
	}
	return f
}

// forgetOld drops the hosts whose last failure is older than loginForget.
// The caller holds mu.
func (l *loginLimiter) forgetOld() {
	now := l.now()
	for h, f := range l.hosts {
		if now.Sub(f.last) > loginForget {
			delete(l.hosts, h)
		}
	}
}
