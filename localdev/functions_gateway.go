package localdev

import (
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/lambdalocal/lambdalocal/proxy"
)

// loadGatewayKnowing reads the routes file at path for api, where the functions known are
// declared by the configuration.
//
// Stand-in until proxy.WithFunctions lands: the known functions are appended to the file as
// function lines (after the file's own lines, so their line numbers hold), then given their
// real URLs.
func loadGatewayKnowing(path string, api proxy.API, known []proxy.Function) (*proxy.Gateway, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("reading routes file: %w; check the path (LAMBDALOCAL_ROUTES)", err)
	}
	defer f.Close()
	var lines strings.Builder
	for i, fn := range known {
		fmt.Fprintf(&lines, "function %s http://lambdalocal-configured-function-%d\n", fn.Name, i)
	}
	g, err := proxy.ParseGateway(path, io.MultiReader(f, strings.NewReader("\n"+lines.String())), proxy.WithAPI(api))
	if err != nil {
		return nil, err
	}
	for _, fn := range known {
		g.Functions[fn.Name] = fn
	}
	return g, nil
}
