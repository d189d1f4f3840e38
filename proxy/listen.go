package proxy

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sync"
	"time"
)

// Serve serves on ln with the connection loop (see conn.go) until ctx is cancelled, then
// shuts down gracefully like ListenAndServe: it stops accepting, closes idle connections,
// lets requests in flight finish (their responses say Connection: close) and waits for them,
// up to the gateway timeout plus 5 s.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	if err := s.init(); err != nil {
		ln.Close()
		return err
	}
	s.logf("lambdalocal proxy: %s API, stage %s, listening on http://%s", s.API, s.dep.Stage, ln.Addr())
	sv := &serving{s: s, ln: ln, conns: map[*conn]bool{}}
	errc := make(chan error, 1)
	go func() { errc <- sv.accept() }()
	select {
	case err := <-errc:
		sv.shutdown()
		sv.closeAll()
		return fmt.Errorf("serving on %s: %w", ln.Addr(), err)
	case <-ctx.Done():
	}
	s.logf("lambdalocal proxy: shutting down; letting requests in flight finish")
	sv.shutdown()
	<-errc
	done := make(chan struct{})
	go func() { sv.wg.Wait(); close(done) }()
	timer := time.NewTimer(s.timeout() + 5*time.Second)
	defer timer.Stop()
	select {
	case <-done:
	case <-timer.C:
		sv.closeAll()
		return fmt.Errorf("shutting down: in-flight requests did not finish: %w", context.DeadlineExceeded)
	}
	s.logf("lambdalocal proxy: stopped")
	return nil
}

// serving is one Serve call: its listener and its connections, each idle (true) or busy
// with a request (false).
type serving struct {
	s     *Server
	ln    net.Listener
	wg    sync.WaitGroup
	mu    sync.Mutex
	conns map[*conn]bool
	stop  bool
}

// accept serves each accepted connection until the listener closes; it returns nil when
// shutdown closed it.
func (sv *serving) accept() error {
	var backoff time.Duration
	for {
		nc, err := sv.ln.Accept()
		if err != nil {
			if sv.closing() {
				return nil
			}
			var te interface{ Temporary() bool }
			if errors.As(err, &te) && te.Temporary() {
				backoff = min(max(2*backoff, 5*time.Millisecond), time.Second)
				time.Sleep(backoff)
				continue
			}
			return fmt.Errorf("accepting a connection: %w", err)
		}
		backoff = 0
		c := newConn(sv, nc)
		sv.mu.Lock()
		if sv.stop {
			sv.mu.Unlock()
			nc.Close()
			return nil
		}
		sv.conns[c] = true
		sv.wg.Add(1)
		sv.mu.Unlock()
		go func() {
			defer sv.done(c)
			c.serve()
		}()
	}
}

func (sv *serving) done(c *conn) {
	sv.mu.Lock()
	delete(sv.conns, c)
	sv.mu.Unlock()
	sv.wg.Done()
}

// setActive marks c busy with a request; false means the server is shutting down and c
// should close without reading it.
func (sv *serving) setActive(c *conn) bool {
	sv.mu.Lock()
	defer sv.mu.Unlock()
	if sv.stop {
		return false
	}
	sv.conns[c] = false
	return true
}

// setIdle marks c idle between requests; false means the server is shutting down.
func (sv *serving) setIdle(c *conn) bool {
	sv.mu.Lock()
	defer sv.mu.Unlock()
	if sv.stop {
		return false
	}
	sv.conns[c] = true
	return true
}

func (sv *serving) closing() bool {
	sv.mu.Lock()
	defer sv.mu.Unlock()
	return sv.stop
}

// shutdown stops accepting and closes the idle connections; busy ones close after their
// response.
func (sv *serving) shutdown() {
	sv.mu.Lock()
	defer sv.mu.Unlock()
	sv.stop = true
	sv.ln.Close()
	for c, idle := range sv.conns {
		if idle {
			c.nc.Close()
		}
	}
}

// closeAll closes every connection, busy or not.
func (sv *serving) closeAll() {
	sv.mu.Lock()
	defer sv.mu.Unlock()
	for c := range sv.conns {
		c.nc.Close()
	}
}
