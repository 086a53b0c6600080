package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/newsdigest/newsdigest"
	"github.com/newsdigest/newsdigest/classify"
	"github.com/newsdigest/newsdigest/learn"
)

// cmdLearn trains the learned topic model on labelled JSON lines (the
// format backtest reads) and writes the model file, or with -cross
// measures what the model would add on news it was not trained on.
func cmdLearn(ctx context.Context, e *env, args []string) error {
	fs, cfgPath := newFlagSet(e, "learn")
	out := fs.String("o", "", "write the model to `FILE` (default: the config's learned.model)")
	cross := fs.Bool("cross", false, "measure, write nothing: for each FILE, train on the other files and backtest FILE with the terms alone and with the model")
	accept := fs.Float64("accept", -1, "with -cross: the accept setting to measure (default: the config's learned.accept)")
	veto := fs.Float64("veto", -1, "with -cross: the veto setting to measure (default: the config's learned.veto)")
	prune := fs.Float64("prune", 0, "drop the features whose every weight is smaller than this (default 0.1)")
	minItems := fs.Int("min-items", 0, "learn only the features of at least this many items (default 2)")
	epochs := fs.Int("epochs", 0, "passes over the items in training (default 15)")
	rate := fs.Float64("rate", 0, "learning rate (default 0.2)")
	l2 := fs.Float64("l2", 0, "weight decay (default 0.0001)")
	scores := fs.String("scores", "", "with -cross: also write every held-out item's probability per topic to `FILE` (JSON lines)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	cfg, err := loadConfig(e, *cfgPath)
	if err != nil {
		return err
	}
	var topics []string
	for _, t := range cfg.Topics {
		topics = append(topics, t.Name)
	}
	files := fs.Args()
	if len(files) == 0 || *cross && len(files) < 2 {
		return usagef("learn: name the labelled files to learn from (with -cross, at least two)")
	}
	sets := make([][]learn.Example, len(files))
	docs := make([][]classify.LabelledDoc, len(files))
	for i, f := range files {
		if docs[i], err = readLabelled(ctx, e, "learn", []string{f}); err != nil {
			return err
		}
		for _, d := range docs[i] {
			sets[i] = append(sets[i], learn.Example{Words: classify.LearnWords(d.Doc), Topics: d.Topics})
		}
	}
	if *cross {
		l := classify.Learned{Accept: cfg.Learned.Accept, Veto: cfg.Learned.Veto}
		if *accept >= 0 {
			l.Accept = *accept
		}
		if *veto >= 0 {
			l.Veto = *veto
		}
		return crossLearn(e, cfg.Topics, files, sets, docs, l, learn.Options{Prune: *prune, MinItems: *minItems, Epochs: *epochs, Rate: *rate, L2: *l2}, *scores)
	}
	var all []learn.Example
	n := 0
	for _, s := range sets {
		all = append(all, s...)
		n += len(s)
	}
	model, err := learn.Train(all, topics, learn.Options{Prune: *prune, MinItems: *minItems, Epochs: *epochs, Rate: *rate, L2: *l2})
	if err != nil {
		return err
	}
	var names []string
	for _, f := range files {
		names = append(names, filepath.Base(f))
	}
	model.About = fmt.Sprintf("made by `newsdigest learn` from %d labelled items:\n%s", n, strings.Join(names, " "))
	path := *out
	if path == "" {
		path = cfg.Learned.Model
	}
	if path == "" {
		return usagef("learn: say where to write the model: -o FILE, or learned.model in %s", *cfgPath)
	}
	if path == "-" {
		return model.Write(e.stdout)
	}
	if err := writeFileAtomic(path, model.Write); err != nil {
		return fmt.Errorf("learn: %w", err)
	}
	fmt.Fprintf(e.stderr, "newsdigest: learn: wrote %s (%d items, topics %s)\n", path, n, strings.Join(topics, ", "))
	return nil
}

// writeFileAtomic writes path through a temporary file in its directory,
// renamed over it once complete: a failed write leaves the old file.
func writeFileAtomic(path string, write func(io.Writer) error) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())              // after the rename, nothing is there
	if err := tmp.Chmod(0o644); err != nil { // CreateTemp's 0600: the file is no secret
		tmp.Close()
		return err
	}
	if err := write(tmp); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// crossLearn is learn -cross: leave one file out. For each file, a model
// trained on the others is combined with the terms and both are backtested
// on the file; the table ends with all files pooled.
func crossLearn(e *env, topics []newsdigest.Topic, files []string, sets [][]learn.Example, docs [][]classify.LabelledDoc, l classify.Learned, opt learn.Options, scoresPath string) (err error) {
	var names []string
	for _, t := range topics {
		names = append(names, t.Name)
	}
	terms, err := classify.Compile(topics)
	if err != nil {
		return usagef("%v", err)
	}
	withModel, err := classify.Compile(topics) // a fresh model each file: SetLearned
	if err != nil {
		return usagef("%v", err)
	}
	var scoreOut *bufio.Writer
	if scoresPath != "" {
		f, err := os.Create(scoresPath)
		if err != nil {
			return fmt.Errorf("learn: %w", err)
		}
		defer f.Close()
		scoreOut = bufio.NewWriter(f)
		defer func() {
			if ferr := scoreOut.Flush(); err == nil && ferr != nil {
				err = fmt.Errorf("learn: %s: %w", scoresPath, ferr)
			}
		}()
	}
	w := bufio.NewWriter(e.stdout)
	fmt.Fprintf(w, "leave one file out: accept %g, veto %g\n\n", l.Accept, l.Veto)
	fmt.Fprintf(w, "%-24s %6s %17s %17s\n", "held out", "items", "terms P / R", "with model P / R")
	var poolTerms, poolModel classify.Score
	for i, f := range files {
		var train []learn.Example
		for j, s := range sets {
			if j != i {
				train = append(train, s...)
			}
		}
		if l.Model, err = learn.Train(train, names, opt); err != nil {
			return fmt.Errorf("learn: without %s: %w", f, err)
		}
		if err := withModel.SetLearned(l); err != nil {
			return err
		}
		a, b := terms.Backtest(docs[i], nil), withModel.Backtest(docs[i], nil)
		poolTerms.Add(a.Micro)
		poolModel.Add(b.Micro)
		fmt.Fprintf(w, "%-24s %6d %17s %17s\n", filepath.Base(f), len(docs[i]), pr(a.Micro), pr(b.Micro))
		for _, d := range docs[i] {
			if scoreOut == nil {
				break
			}
			matched := terms.Match(d.Doc)
			for _, x := range withModel.Explain(d.Doc) {
				if x.Learned == nil {
					continue // a topic the model does not know
				}
				line, err := json.Marshal(crossScore{File: filepath.Base(f), ID: d.ID, Topic: x.Name, P: x.Learned.P,
					Label: slices.Contains(d.Topics, x.Name),
					Terms: slices.ContainsFunc(matched, func(m newsdigest.Match) bool { return m.Topic == x.Name })})
				if err != nil {
					return err
				}
				scoreOut.Write(append(line, '\n'))
			}
		}
	}
	fmt.Fprintf(w, "%-24s %6s %17s %17s\n", "all files", "", pr(poolTerms), pr(poolModel))
	return w.Flush()
}

// crossScore is one line of learn -cross -scores: a held-out item, a topic,
// the model's probability, the label and whether the terms matched.
type crossScore struct {
	File  string  `json:"file"`
	ID    string  `json:"id"`
	Topic string  `json:"topic"`
	P     float64 `json:"p"`
	Label bool    `json:"label"`
	Terms bool    `json:"terms"`
}

// pr is "precision / recall" of s, three decimals.
func pr(s classify.Score) string {
	return fmtRatio(s.Precision()) + " / " + fmtRatio(s.Recall())
}
