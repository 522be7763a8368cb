// Pure renderers; see the files of this module.
