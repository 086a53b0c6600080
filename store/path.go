package store

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// CheckPath reports whether path can hold a store, without creating
// anything, so that `validate` refuses what Open would: path must be a
// plain file name (Open adds its own SQLite URI parameters, so no '?',
// '#', "file:" or ":memory:"), in a directory that exists, and must not
// itself be a directory. The error gives the reason only ("directory
// data does not exist (create it first)"); callers name the setting.
func CheckPath(path string) error {
	if path == "" {
		return errors.New("empty path")
	}
	if strings.ContainsAny(path, "?#") || strings.HasPrefix(path, "file:") || strings.HasPrefix(path, ":memory:") {
		return errors.New("must be a plain file name (no '?', '#', file: or :memory:)")
	}
	dir := filepath.Dir(path)
	switch fi, err := os.Stat(dir); {
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("directory %s does not exist (create it first)", dir)
	case err != nil:
		return err
	case !fi.IsDir():
		return fmt.Errorf("%s is not a directory", dir)
	}
	if fi, err := os.Stat(path); err == nil && fi.IsDir() {
		return fmt.Errorf("%s is a directory, not a database file", path)
	}
	return nil
}
