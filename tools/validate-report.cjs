#!/usr/bin/env node
/* validate-report.cjs - check a mutation report against Stryker's
 * mutation-testing-report-schema (the JSON schema of the npm package, pinned
 * in tools/package.json), with ajv
 *
 * Usage: node tools/validate-report.cjs REPORT.json [NODE_MODULES]
 * NODE_MODULES defaults to build/npm/node_modules (make html-deps).
 * Exit 0 when valid; 1 with every error, one per line, when not; 2 when the
 * report or the schema cannot be read.
 */
'use strict';
const fs = require('fs');
const path = require('path');

const reportPath = process.argv[2];
const nm = path.resolve(process.argv[3] || path.join(__dirname, '..', 'build', 'npm',
	'node_modules'));
if (!reportPath) {
	process.stderr.write('usage: validate-report.cjs REPORT.json [NODE_MODULES]\n');
	process.exit(2);
}
let Ajv, addFormats, schema, report;
try {
	Ajv = require(path.join(nm, 'ajv'));
	addFormats = require(path.join(nm, 'ajv-formats'));
	schema = JSON.parse(fs.readFileSync(path.join(nm, 'mutation-testing-report-schema',
		'dist', 'src', 'mutation-testing-report-schema.json'), 'utf8'));
} catch (e) {
	process.stderr.write(`validate-report: cannot load the schema or ajv from '${nm}' ` +
		`(run make html-deps): ${e.message}\n`);
	process.exit(2);
}
try {
	report = JSON.parse(fs.readFileSync(reportPath, 'utf8'));
} catch (e) {
	process.stderr.write(`validate-report: cannot read '${reportPath}': ${e.message}\n`);
	process.exit(2);
}
const ajv = new (Ajv.default || Ajv)({ allErrors: true, strict: true });
(addFormats.default || addFormats)(ajv);
const validate = ajv.compile(schema);
if (validate(report)) {
	const files = Object.keys(report.files);
	const mutants = files.reduce((n, f) => n + report.files[f].mutants.length, 0);
	process.stdout.write(`${reportPath}: valid (schema ${schema.$id}, ` +
		`${files.length} files, ${mutants} mutants)\n`);
	process.exit(0);
}
for (const e of validate.errors)
	process.stdout.write(`${reportPath}: ${e.instancePath || '/'}: ${e.message}\n`);
process.exit(1);
