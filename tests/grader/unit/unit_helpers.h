/* unit_helpers.h - what the internals' tests share: a scratch folder per
 * test (Criterion runs each test in a process of its own) and files
 * written in it
 */
#ifndef UNIT_HELPERS_H
#define UNIT_HELPERS_H

/* The test's folder, made by unit_setup(). */
char *unit_dir(void);

/* A TestSuite's .init and .fini: make the folder, remove it. */
void unit_setup(void);
void unit_teardown(void);

/* Writes text to the file name in the test's folder. */
void unit_write(const char *name, const char *text);

#endif /* UNIT_HELPERS_H */
