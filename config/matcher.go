package config

import (
	"fmt"
	"os"

	"github.com/newsdigest/newsdigest/classify"
	"github.com/newsdigest/newsdigest/learn"
)

// Matcher compiles the config's topics and, when learned.model names a
// model file, reads it and combines it with the terms. A model file that
// cannot be read, or that knows none of the topics, is an *Error naming
// learned.model's line.
func (c *Config) Matcher() (*classify.Matcher, error) {
	m, err := classify.Compile(c.Topics)
	if err != nil {
		return nil, err
	}
	if c.Learned.Model == "" {
		return m, nil
	}
	model, err := ReadModel(c.Learned.Model)
	if err == nil {
		err = m.SetLearned(classify.Learned{Model: model, Accept: c.Learned.Accept, Veto: c.Learned.Veto})
	}
	if err != nil {
		return nil, c.newError([]Problem{{Line: c.keyLine("learned", "model"), Path: "learned.model", Message: err.Error()}})
	}
	return m, nil
}

// ReadModel reads a model file made by `newsdigest learn`.
func ReadModel(path string) (*learn.Model, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	m, err := learn.Read(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return m, nil
}
