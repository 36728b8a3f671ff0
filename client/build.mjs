#!/usr/bin/env node
// Builds the browser client into server/static/ (git-ignored build output):
//   index.html, board.html           pages without inline scripts or styles (strict CSP)
//   assets/*-[hash].{js,css,woff2}   long-cached, content-hashed bundle files
//   assets/sw.js                     service worker (stable name, served with no-cache)
//
// Usage: node build.mjs [--gen-only] [--dev]
//   --gen-only  only (re)generate src/model/canvas.gen.ts and src/sync/vocab.gen.ts (for `tsc --noEmit`)
//   --dev       no minification, inline source maps
//
// src/model/canvas.gen.ts comes from `python -m canvas_schema.export` and src/sync/vocab.gen.ts
// (the wire vocabulary: roles, ops, error and close codes, events, note keys, snapshot kinds,
// export formats) from `python -m server.sync.vocab_ts`; the build runs them with
// ../.venv/bin/python when that exists, else python3 (or $PYTHON). vocab.gen.ts is committed
// so that changes to the vocabulary show in review; a pytest fails when it is stale.

import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { basename, dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import * as esbuild from 'esbuild'

const here = dirname(fileURLToPath(import.meta.url))
const root = resolve(here, '..')
const outDir = join(root, 'server', 'static')
const assetsDir = join(outDir, 'assets')
const args = new Set(process.argv.slice(2))
const dev = args.has('--dev')

function python() {
  if (process.env.PYTHON) return process.env.PYTHON
  const venv = join(root, '.venv', 'bin', 'python')
  return existsSync(venv) ? venv : 'python3'
}

function generate() {
  const canvases = join(here, 'src', 'model', 'canvas.gen.ts')
  execFileSync(python(), ['-m', 'canvas_schema.export', canvases], {
    cwd: root,
    stdio: ['ignore', 'ignore', 'inherit']
  })
  const vocab = join(here, 'src', 'sync', 'vocab.gen.ts')
  execFileSync(python(), ['-m', 'server.sync.vocab_ts', vocab], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] })
}

function page({ lang, title, description, css, js, bodyClass }) {
  // Everything the page needs comes from /assets; no inline script or style (CSP).
  return `<!doctype html>
<html lang="${lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1, viewport-fit=cover">
<meta name="color-scheme" content="light">
<meta name="description" content="${description}">
<meta name="referrer" content="no-referrer">
<title>${title}</title>
<link rel="icon" href="/assets/${css.icon}" type="image/svg+xml">
<link rel="stylesheet" href="/assets/${css.file}">
<script type="module" src="/assets/${js}"></script>
</head>
<body class="${bodyClass}">
<noscript><p class="noscript">cocanvas braucht JavaScript. / cocanvas needs JavaScript.</p></noscript>
<div id="app" class="app"><p class="loading" role="status">Lade … / Loading …</p></div>
</body>
</html>
`
}

const ICON = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="6" fill="#1d3a5f"/><rect x="5" y="6" width="10" height="9" rx="1" fill="#fff4a3"/><rect x="17" y="6" width="10" height="9" rx="1" fill="#cfe8ff"/><rect x="5" y="17" width="22" height="9" rx="1" fill="#d3f5c8"/></svg>\n`

function hashed(name, content) {
  const h = createHash('sha256').update(content).digest('hex').slice(0, 10)
  const dot = name.lastIndexOf('.')
  return `${name.slice(0, dot)}-${h}${name.slice(dot)}`
}

async function build() {
  generate()
  if (args.has('--gen-only')) return

  rmSync(outDir, { recursive: true, force: true })
  mkdirSync(assetsDir, { recursive: true })
  // the folder is build output: keep it out of git even without a root .gitignore entry
  writeFileSync(join(outDir, '.gitignore'), '*\n')

  const result = await esbuild.build({
    absWorkingDir: here,
    entryPoints: { board: 'src/main.ts', landing: 'src/landing.ts', app: 'src/styles/app.css' },
    bundle: true,
    format: 'esm',
    splitting: true,
    target: ['es2022', 'chrome100', 'firefox100', 'safari15'],
    outdir: assetsDir,
    entryNames: '[name]-[hash]',
    chunkNames: 'chunk-[hash]',
    assetNames: '[name]-[hash]',
    publicPath: '/assets',
    loader: { '.woff2': 'file' },
    minify: !dev,
    sourcemap: dev ? 'inline' : false,
    legalComments: 'linked',
    metafile: true,
    logLevel: 'warning',
    define: { 'process.env.NODE_ENV': dev ? '"development"' : '"production"' }
  })

  // tests and their helpers live beside the code; none may reach the bundle
  const testInputs = Object.keys(result.metafile.inputs).filter((p) => /\.test\.ts$|(^|\/)src\/testing\//.test(p))
  if (testInputs.length > 0) throw new Error(`test code in the bundle: ${testInputs.join(', ')}`)

  const outputs = Object.entries(result.metafile.outputs)
  const entry = (name) => {
    const found = outputs.find(([, o]) => o.entryPoint && basename(o.entryPoint).startsWith(name))
    if (!found) throw new Error(`no output for entry ${name}`)
    return basename(found[0])
  }
  const boardJs = entry('main')
  const landingJs = entry('landing')
  const css = entry('app')
  const icon = hashed('icon.svg', ICON)
  writeFileSync(join(assetsDir, icon), ICON)

  const cssInfo = { file: css, icon }
  writeFileSync(
    join(outDir, 'index.html'),
    page({
      lang: 'de',
      title: 'cocanvas – Ko-Kreations-Canvas',
      description: 'Gemeinsam den Ko-Kreations-Canvas ausfüllen – live, im Raum und online.',
      css: cssInfo,
      js: landingJs,
      bodyClass: 'page-landing'
    })
  )
  writeFileSync(
    join(outDir, 'board.html'),
    page({
      lang: 'de',
      title: 'cocanvas',
      description: 'Ko-Kreations-Canvas: gemeinsames Board',
      css: cssInfo,
      js: boardJs,
      bodyClass: 'page-board'
    })
  )

  // The service worker keeps the app shell for offline reloads; its precache list
  // names this build's files, so a new build replaces the old cache.
  const files = outputs.map(([p]) => `/assets/${basename(p)}`).filter((p) => !p.endsWith('.map'))
  files.push(`/assets/${icon}`)
  const version = createHash('sha256').update(files.join('\n')).digest('hex').slice(0, 12)
  await esbuild.build({
    absWorkingDir: here,
    entryPoints: ['src/sw.ts'],
    bundle: true,
    format: 'iife',
    target: ['es2022'],
    outfile: join(assetsDir, 'sw.js'),
    minify: !dev,
    logLevel: 'warning',
    define: {
      __PRECACHE__: JSON.stringify(files.filter((f) => !f.endsWith('.txt'))),
      __BUILD__: JSON.stringify(version)
    }
  })

  let total = 0
  const rows = []
  for (const [p, o] of outputs) {
    total += o.bytes
    rows.push(`  ${relative(root, p).padEnd(58)} ${(o.bytes / 1024).toFixed(1).padStart(8)} KiB`)
  }
  console.log(rows.sort().join('\n'))
  console.log(`built ${relative(root, outDir)}/ (${(total / 1024).toFixed(1)} KiB of assets, build ${version})`)
}

build().catch((err) => {
  console.error(err?.message ? err.message : err)
  process.exit(1)
})
