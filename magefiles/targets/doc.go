// Package targets is lambdalocal's importable Mage target library. Import it into any
// repository's magefile with
//
//	//mage:import github.com/lambdalocal/lambdalocal/magefiles/targets
//
// Each target is a one-line dispatcher into the localdev or proxy packages. This package is the
// only place that reads LAMBDALOCAL_* environment variables: Settings holds the magefile's own
// choices, and each variable, when set, overrides the matching field.
package targets
