//go:build race

package pipeline_test

// raceEnabled: the race detector slows every process it builds several
// times over; the long randomized trials run fewer rounds under it.
const raceEnabled = true
