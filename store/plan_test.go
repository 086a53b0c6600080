package store

import (
	"context"
	"strings"
	"testing"
	"time"
)

// TestCandidatesUseTheirIndex checks that the digest's selection walks
// only the matched items of its window (items_candidates), not every item
// first seen in it, without sorting them.
func TestCandidatesUseTheirIndex(t *testing.T) {
	sqliteOnly(t) // EXPLAIN QUERY PLAN is SQLite's; PostgreSQL's plans are not checked
	s := MustOpen(t)
	if _, err := s.Candidates(context.Background(), CandidateQuery{Channel: "#c", From: base, To: base.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	query, args := s.d.candidatesQuery(CandidateQuery{Channel: "#c", From: base, To: base.Add(time.Hour), Topics: []string{"t"}})
	rows, err := s.db.Query("EXPLAIN QUERY PLAN "+query, args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		plan = append(plan, detail)
	}
	got := strings.Join(plan, "\n")
	if !strings.Contains(got, "USING INDEX items_candidates") {
		t.Errorf("Candidates query plan:\n%s\nwant a search of items USING INDEX items_candidates", got)
	}
	// The window's rows, each with its summary, are not copied into a
	// sorter (Candidates orders them after reading).
	if strings.Contains(got, "TEMP B-TREE") {
		t.Errorf("Candidates query plan:\n%s\nwant no temporary B-tree", got)
	}
	// An item's matches are read by item_id, not sought once per topic.
	if strings.Contains(got, "topic=?") {
		t.Errorf("Candidates query plan:\n%s\nwant matches searched by item_id only", got)
	}
}
