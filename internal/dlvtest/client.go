package dlvtest

import (
	"context"
	"fmt"
	"net"
	"net/rpc"
	"net/rpc/jsonrpc"
	"time"
)

// Client is a connection to a headless Delve's API v2.
type Client struct {
	rpc *rpc.Client
}

// Breakpoint is a breakpoint as Delve reports it (api.Breakpoint).
type Breakpoint struct {
	ID           int    `json:"id"`
	File         string `json:"file"`
	Line         int    `json:"line"`
	FunctionName string `json:"functionName,omitempty"`
}

// Function names the function at a thread's program counter (api.Function).
type Function struct {
	Name string `json:"name"`
}

// Thread is a thread of the debugged program (api.Thread).
type Thread struct {
	ID         int         `json:"id"`
	File       string      `json:"file"`
	Line       int         `json:"line"`
	Function   *Function   `json:"function,omitempty"`
	Breakpoint *Breakpoint `json:"breakPoint,omitempty"`
}

// State is the debugger's state (api.DebuggerState).
type State struct {
	Pid           int     `json:"Pid"`
	Running       bool    `json:"Running"`
	CurrentThread *Thread `json:"currentThread,omitempty"`
	Threads       []*Thread
	Exited        bool   `json:"exited"`
	ExitStatus    int    `json:"exitStatus"`
	StopReason    string `json:"stopReason,omitempty"`
}

// Dial connects to Delve at addr, retrying until ctx ends: Delve starts listening a moment
// after its process starts.
func Dial(ctx context.Context, addr string) (*Client, error) {
	var d net.Dialer
	for {
		conn, err := d.DialContext(ctx, "tcp", addr)
		if err == nil {
			return &Client{rpc: jsonrpc.NewClient(conn)}, nil
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("connecting to Delve at %s: %w (last: %v)", addr, ctx.Err(), err)
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// Close closes the connection; with --accept-multiclient, Delve and its program go on.
func (c *Client) Close() error { return c.rpc.Close() }

// createBreakpointIn is rpc2.CreateBreakpointIn.
type createBreakpointIn struct {
	Breakpoint          Breakpoint
	LocExpr             string
	SubstitutePathRules [][2]string
	Suspended           bool
}

type createBreakpointOut struct {
	Breakpoint Breakpoint
}

// CreateBreakpoint sets a breakpoint at a location expression such as "lambda/handler.go:42"
// (a file path suffix and a line) or "main.handle". Each rule {from, to} rewrites the binary's
// file paths that start with from (as the binary names them) to start with to (a path on this
// machine) before loc is matched against them: the rules of dlv's substitute-path setting. (An
// IDE's DAP substitutePath lists the same pairs the other way round.) A loc that matches no
// file, or several, gives a pending breakpoint with no file: check Breakpoint.File.
func (c *Client) CreateBreakpoint(loc string, rules ...[2]string) (Breakpoint, error) {
	var out createBreakpointOut
	if err := c.rpc.Call("RPCServer.CreateBreakpoint", createBreakpointIn{LocExpr: loc, SubstitutePathRules: rules}, &out); err != nil {
		return Breakpoint{}, fmt.Errorf("creating a breakpoint at %s: %w", loc, err)
	}
	return out.Breakpoint, nil
}

// command is api.DebuggerCommand.
type command struct {
	Name string `json:"name"`
}

type commandOut struct {
	State State
}

// Continue resumes the program and returns once it stops again (a breakpoint, a halt) or exits.
func (c *Client) Continue() (State, error) {
	var out commandOut
	if err := c.rpc.Call("RPCServer.Command", command{Name: "continue"}, &out); err != nil {
		return out.State, fmt.Errorf("continuing: %w", err)
	}
	return out.State, nil
}

// Resume lets a stopped program go on without waiting for it to stop again: the continue
// request is written before Resume returns, so the client may Close at once and the program
// runs on (Delve with --accept-multiclient does not stop it when a client leaves).
func (c *Client) Resume() {
	c.rpc.Go("RPCServer.Command", command{Name: "continue"}, &commandOut{}, make(chan *rpc.Call, 1))
}

// Halt stops the running program; a Continue waiting for a stop returns.
func (c *Client) Halt() (State, error) {
	var out commandOut
	if err := c.rpc.Call("RPCServer.Command", command{Name: "halt"}, &out); err != nil {
		return out.State, fmt.Errorf("halting: %w", err)
	}
	return out.State, nil
}

type stateIn struct {
	NonBlocking bool
}

type stateOut struct {
	State *State
}

// State returns the debugger's state without waiting for a running program to stop.
func (c *Client) State() (State, error) {
	var out stateOut
	if err := c.rpc.Call("RPCServer.State", stateIn{NonBlocking: true}, &out); err != nil {
		return State{}, fmt.Errorf("reading the debugger's state: %w", err)
	}
	if out.State == nil {
		return State{}, fmt.Errorf("reading the debugger's state: Delve sent none")
	}
	return *out.State, nil
}

type detachIn struct {
	Kill bool
}

type detachOut struct{}

// Detach ends the debug session: Delve lets the program go (kill false) or kills it, then
// exits. The connection is closed.
func (c *Client) Detach(kill bool) error {
	defer c.rpc.Close()
	if err := c.rpc.Call("RPCServer.Detach", detachIn{Kill: kill}, &detachOut{}); err != nil {
		return fmt.Errorf("detaching: %w", err)
	}
	return nil
}

// StoppedAt returns the file and line where the state's current thread stopped at a breakpoint,
// and whether it did.
func (s State) StoppedAt() (file string, line int, ok bool) {
	t := s.CurrentThread
	if t == nil || t.Breakpoint == nil {
		return "", 0, false
	}
	return t.File, t.Line, true
}
