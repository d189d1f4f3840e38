package function

import (
	"context"
	"errors"
	"sync"
	"time"
)

// acquire returns an idle environment of the current build or starts one (cold is true),
// stopping an idle environment of an older build if N are running. The caller holds a slot.
func (p *Pool) acquire(ctx context.Context) (e *environment, cold bool, err error) {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return nil, false, ErrClosed
	}
	for i := len(p.idle) - 1; i >= 0; i-- {
		if p.idle[i].build == p.cur {
			e = p.idle[i]
			p.idle = append(p.idle[:i], p.idle[i+1:]...)
			p.mu.Unlock()
			return e, false, nil
		}
	}
	var evict *environment
	if len(p.live) >= p.opts.maxEnvs && len(p.idle) > 0 {
		// Holding a slot means at most N-1 environments are busy: one is idle, of an old build.
		evict, p.idle = p.idle[0], p.idle[1:]
		delete(p.live, evict)
	}
	b := p.cur
	p.nextID++
	id := p.nextID
	p.mu.Unlock()
	if evict != nil {
		evict.stop()
	}
	e, err = startEnvironment(ctx, id, b, &p.opts, p.sink)
	var ie *InitError
	if errors.As(err, &ie) && ie.Reason == InitStartFailed && p.current() != b {
		// A swap came in between, and its caller may have removed the old build's file: the
		// invoke goes to the new build instead.
		e, err = startEnvironment(ctx, id, p.current(), &p.opts, p.sink)
	}
	if err != nil {
		return nil, false, err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		e.stop()
		return nil, false, ErrClosed
	}
	p.live[e] = struct{}{}
	return e, true, nil
}

// current returns the build new environments run.
func (p *Pool) current() *build {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.cur
}

// release returns e to the idle list, or stops it when it is broken, of an old build, or the
// Pool is closed.
func (p *Pool) release(e *environment, healthy bool) {
	p.mu.Lock()
	if healthy && !p.closed && e.build == p.cur {
		e.lastUsed = time.Now()
		p.idle = append(p.idle, e)
		p.mu.Unlock()
		return
	}
	delete(p.live, e)
	background := p.retireLocked(e)
	p.mu.Unlock()
	if !background {
		e.stop()
	}
}

// retireLocked stops e in the background, so that Close waits for it, and reports true; after
// Close it does nothing and reports false (the caller stops e itself). Call it with p.mu held.
func (p *Pool) retireLocked(e *environment) bool {
	if p.closed {
		return false
	}
	p.retiring.Add(1)
	go func() {
		defer p.retiring.Done()
		e.stop()
	}()
	return true
}

// reap stops environments idle for longer than the idle timeout.
func (p *Pool) reap() {
	defer p.reaper.Done()
	every := min(max(p.opts.idleTimeout/4, 10*time.Millisecond), 30*time.Second)
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-p.stopped:
			return
		case now := <-t.C:
			for _, e := range p.takeIdleBefore(now.Add(-p.opts.idleTimeout)) {
				e.stop()
			}
		}
	}
}

func (p *Pool) takeIdleBefore(cutoff time.Time) []*environment {
	p.mu.Lock()
	defer p.mu.Unlock()
	var old []*environment
	keep := p.idle[:0]
	for _, e := range p.idle {
		if e.lastUsed.Before(cutoff) {
			old = append(old, e)
			delete(p.live, e)
		} else {
			keep = append(keep, e)
		}
	}
	p.idle = keep
	return old
}

// PIDs returns the process ids of the running execution environments.
func (p *Pool) PIDs() []int {
	p.mu.Lock()
	defer p.mu.Unlock()
	var pids []int
	for e := range p.live {
		pids = append(pids, e.pid())
	}
	return pids
}

// Close stops every environment, including those running an invoke (which answer as a crash),
// and waits until their processes are gone. Invokes after Close return ErrClosed.
func (p *Pool) Close() error {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return nil
	}
	p.closed = true
	all := make([]*environment, 0, len(p.live))
	for e := range p.live {
		all = append(all, e)
	}
	p.live = map[*environment]struct{}{}
	p.idle = nil
	close(p.stopped)
	p.mu.Unlock()
	var wg sync.WaitGroup
	for _, e := range all {
		wg.Add(1)
		go func() { defer wg.Done(); e.stop() }()
	}
	wg.Wait()
	p.reaper.Wait()
	p.retiring.Wait()
	return nil
}
