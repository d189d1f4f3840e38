package proxy

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// errDetached says an invoke was left running when its caller gave up; the endpoint is
// released once it has answered.
var errDetached = errors.New("the caller gave up; the invoke finishes in the background")

// invokeHeld is invoke for an endpoint reserved by a balancer, in the caller's goroutine. When
// ctx ends before the answer begins and the endpoint may be running the function, it returns
// errDetached at once and reads the answer in a goroutine of its own (for at most drain), then
// calls release: the endpoint stays reserved until the function has answered, as a plain RIE
// must not get another invoke before (it would crash). In every other case release is left to
// the caller. An answer that has begun is read whole. Nothing waits longer than drain.
func (p *riePool) invokeHeld(ctx context.Context, drain time.Duration, event []byte, release func()) (rieAnswer, error) {
	c, err := p.get(ctx)
	if err != nil {
		return rieAnswer{}, err
	}
	until := time.Now().Add(drain) // the longest an endpoint stays reserved
	_ = c.SetDeadline(until)
	fired := make(chan struct{})
	stop := context.AfterFunc(ctx, func() {
		_ = c.SetDeadline(time.Unix(1, 0))
		close(fired)
	})
	werr := c.send(p.head, event)
	if werr != nil && ctx.Err() != nil {
		// The request went out cut short: the endpoint cannot run a function it did not
		// receive whole, and closing the connection ends its wait.
		c.Close()
		return rieAnswer{}, ctx.Err()
	}
	if _, perr := c.br.Peek(1); perr != nil && ctx.Err() != nil {
		go func() {
			<-fired
			_ = c.SetDeadline(until)
			_, keep, _ := c.receive(werr)
			p.finish(c, keep)
			release()
		}()
		return rieAnswer{}, errDetached
	}
	if !stop() { // ctx ended as the answer began: read it whole
		<-fired
		_ = c.SetDeadline(until)
	}
	ans, keep, err := c.receive(werr)
	p.finish(c, keep)
	return ans, err
}

// finish keeps c, without its deadline, for the next invoke, or closes it.
func (p *riePool) finish(c *rieConn, keep bool) {
	if keep && c.SetDeadline(time.Time{}) == nil {
		p.put(c)
		return
	}
	c.Close()
}

// ownConns reports whether c reaches its endpoint over its own connections (no Client and
// an http:// URL), which invokeHeld needs.
func (c *RIEClient) ownConns() bool {
	c.init()
	return c.pool != nil
}

// invokeHeld is Invoke on an endpoint a balancer reserved (see riePool.invokeHeld); c must
// have its own connections.
func (c *RIEClient) invokeHeld(ctx context.Context, drain time.Duration, event []byte, release func()) ([]byte, error) {
	if len(event) > MaxRequestPayload {
		return nil, c.tooLarge(event)
	}
	ans, err := c.pool.invokeHeld(ctx, drain, event, release)
	if errors.Is(err, errDetached) {
		return nil, err
	}
	if err != nil {
		return nil, fmt.Errorf("invoking function at %s: %w", c.URL, err)
	}
	return c.judge(ans.status, ans.body)
}
