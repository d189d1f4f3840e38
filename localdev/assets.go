package localdev

import (
	"embed"
	"io/fs"
)

// The canonical local-environment files, the same ones this repository runs with. Scaffold
// writes them into a consumer's localdev/ folder.
//
//go:embed Dockerfile docker-compose.yml docker-compose.debug.yml entrypoint.sh .dockerignore .gitignore
var assets embed.FS

// The scratch modules that build the RIE (rie.go) and Delve (delve.go).
//
//go:embed rie/go.mod.txt rie/go.sum.txt delve/go.mod.txt delve/go.sum.txt
var toolModules embed.FS

// asset is one scaffolded file: its name in localdev/ and its mode.
type asset struct {
	name string
	mode fs.FileMode
}

// scaffoldAssets lists the embedded files Scaffold writes, in order.
func scaffoldAssets() []asset {
	return []asset{
		{"Dockerfile", 0o644},
		{"docker-compose.yml", 0o644},
		{"docker-compose.debug.yml", 0o644},
		{"entrypoint.sh", 0o755},
		{".dockerignore", 0o644},
		{".gitignore", 0o644},
	}
}
