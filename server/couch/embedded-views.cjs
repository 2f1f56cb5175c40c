'use strict';
/**
 * Views for the embedded store: PouchDB's own map/reduce (pouchdb-abstract-mapreduce, the same
 * release pouchdb-node bundles, so index names and stored indexes stay the same) with map functions
 * compiled once per view instead of once per document.
 *
 * pouchdb-node runs a map function by writing the document's JSON into a fresh script and running it
 * in a new `vm` context, for every document and every view. Measured on a demo location database
 * (3,839 documents, 11 views, 2-core machine under load): 166 s to index, two thirds of it creating
 * contexts; with each map function compiled once into its own context, 20 s. CouchDB's query server
 * also keeps one JavaScript context per design document rather than one per document.
 *
 * What a map function sees is unchanged: its own context (not the store's globals, no `require`), a
 * private copy of the document (parsed from its JSON inside that context, so a map function that
 * changes it changes nothing outside), and the helpers PouchDB provides (`emit`, `sum`, `log`,
 * `isArray`, `toJSON`). A map function that throws emits nothing for that document, as before.
 * Reduces are CouchDB's builtins (`_sum`, `_count`, `_stats`), computed as pouchdb-node does; the
 * design documents (couch-design-docs/) use no other.
 */
const vm = require('node:vm');
const { createRequire } = require('node:module');

const createAbstractMapReduce = require('pouchdb-abstract-mapreduce');
// its own copy of the utilities: a reduce error is recognised by `instanceof` its BuiltInError
const { BuiltInError, NotFoundError } = createRequire(require.resolve('pouchdb-abstract-mapreduce'))('pouchdb-mapreduce-utils');

/** Design documents are few; the bound only keeps a store fed odd temporary views from growing. */
const MAX_COMPILED = 256;
const compiled = new Map();


/**
 * Compiles a map function's source in a new context once: the returned function takes a document's
 * JSON and returns what the map emitted for it, as [key, value] pairs.
 */
function compileMap(source) {
  let run = compiled.get(source);
  if (run) return run;
  const code =
    '(function () { "use strict";' +
    ' var builtInError = function (name) { return new Error("builtin " + name + " function requires map values to be numbers or number arrays"); };' +
    ' var sum = ' + sum.toString() + '; var log = function () {}; var isArray = Array.isArray; var toJSON = JSON.parse;' +
    ' var emitted = []; var emit = function (key, value) { emitted.push([key, value]); };' +
    ' var map = (' + source.replace(/;\s*$/, '') + ');' +
    ' return function (json) { emitted = []; map(JSON.parse(json)); var out = emitted; emitted = []; return out; };' +
    '})()';
  run = vm.runInNewContext(code, {}, { filename: 'map-function.js' });
  if (compiled.size >= MAX_COMPILED) compiled.delete(compiled.keys().next().value);
  compiled.set(source, run);
  return run;
}

function mapper(mapFun, emit) {
  // a temporary view given as a function of (doc, emit) runs as it is (PouchDB's own rule)
  if (typeof mapFun === 'function' && mapFun.length === 2) return (doc) => mapFun(doc, emit);
  const run = compileMap(String(mapFun));
  return (doc) => {
    for (const pair of run(JSON.stringify(doc))) emit(pair[0], pair[1]);
  };
}

function builtInError(name) {
  return new BuiltInError('builtin ' + name + ' function requires map values to be numbers or number arrays');
}

/** CouchDB's `_sum`: numbers, or arrays of numbers summed position by position. */
function sum(values) {
  let result = 0;
  for (const num of values) {
    if (typeof num === 'number') {
      if (typeof result === 'number') result += num;
      else result[0] += num;
      continue;
    }
    if (!Array.isArray(num)) throw builtInError('_sum');
    if (typeof result === 'number') result = [result];
    for (let j = 0; j < num.length; j++) {
      if (typeof num[j] !== 'number') throw builtInError('_sum');
      if (result[j] === undefined) result.push(num[j]);
      else result[j] += num[j];
    }
  }
  return result;
}

const BUILT_IN = {
  _sum: (_keys, values) => sum(values),
  _count: (_keys, values) => values.length,
  // PouchDB never re-reduces, so no rereduce case
  _stats: (_keys, values) => ({
    sum: sum(values),
    min: Math.min.apply(null, values),
    max: Math.max.apply(null, values),
    count: values.length,
    sumsqr: values.reduce((a, n) => a + n * n, 0)
  })
};

function reducer(reduceFun) {
  const source = String(reduceFun);
  for (const name of Object.keys(BUILT_IN)) if (source.startsWith(name)) return BUILT_IN[name];
  throw new Error(source.slice(0, 40) + ' is not a supported reduce function: the embedded store runs _sum, _count and _stats');
}

function ddocValidator(ddoc, viewName) {
  const fun = ddoc.views && ddoc.views[viewName];
  if (typeof fun.map !== 'string') {
    throw new NotFoundError('ddoc ' + ddoc._id + ' has no string view named ' + viewName + ', instead found object of type: ' + typeof fun.map);
  }
}

// 'mrviews': the name pouchdb-node records its indexes under, so indexes built before are reused
const views = createAbstractMapReduce('mrviews', mapper, reducer, ddocValidator);

/** A PouchDB plugin: `PouchDB.plugin(viewsPlugin)` replaces `query` and `viewCleanup`. */
const viewsPlugin = {
  query(fun, opts, callback) {
    return views.query.call(this, fun, opts, callback);
  },
  viewCleanup(callback) {
    return views.viewCleanup.call(this, callback);
  }
};

module.exports = { viewsPlugin, compileMap, reducer };
