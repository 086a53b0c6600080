//go:build race

package main

// raceEnabled: the race detector slows every process it builds several
// times over; the long randomized trials run fewer rounds under it.
const raceEnabled = true
