//go:build mage

// This repository's own magefile: it imports the same target library that consumers import,
// and adds repo-only targets.
package main

import (
	//mage:import
	"github.com/lambdalocal/lambdalocal/magefiles/targets"
)

func init() {
	// The example function lives in ./lambda.
	targets.Settings.Handler = "./lambda"
}
