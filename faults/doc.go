// Package faults is golive's fault-injection suite (`make faults`): it
// builds the real binary, runs it in HTTP mode against a fake Slack Web API
// that fails on demand, drives whole launches with signed requests, kills
// the servers with SIGKILL at seeded points, and checks from the database
// and the fake that every acknowledged change was stored once and every
// post golive owes went out once.
//
// The tests carry the build tag faults, so that `go test ./...` leaves them
// out: go test -tags faults ./faults/
package faults
