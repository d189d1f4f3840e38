package targets

import (
	"reflect"
	"testing"

	"github.com/lambdalocal/lambdalocal/localdev"
	"github.com/lambdalocal/lambdalocal/proxy"
)

func TestProxyConfigPassesTheConfiguredFunctions(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		fns  []localdev.Function
		want []proxy.Function
	}{
		{"one function of the handler: the routes file declares its own", nil, nil},
		{"several: each at its own port, named for the routes file",
			[]localdev.Function{{Name: "items", Handler: "./cmd/items"}, {Name: "users", Handler: "./cmd/users"}},
			[]proxy.Function{
				{Name: "items", URLs: []string{"http://127.0.0.1:9000"}, Concurrency: 1},
				{Name: "users", URLs: []string{"http://127.0.0.1:9001"}, Concurrency: 1},
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, err := configFrom(localdev.Config{Functions: tt.fns}, env(nil))
			if err != nil {
				t.Fatal(err)
			}
			pc, err := proxyConfig(c)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(pc.Functions, tt.want) {
				t.Errorf("Functions = %+v, want %+v", pc.Functions, tt.want)
			}
		})
	}
}
