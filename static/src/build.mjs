// Builds the portal's front-end files from node_modules into static/.
//
//   npm ci && npm run build
//
// - static/src/portal.scss -> static/css/portal.css (compressed, no source map)
// - static/src/admin.scss -> static/css/admin.css (the staff area's additions to the admin)
// - static/src/case-pages.scss -> static/css/case-pages.css (a case's page in sections)
// - GOV.UK Frontend's ES module bundle -> static/vendor/govuk-frontend/
//
// Only the JavaScript is vendored: every image GOV.UK Frontend ships (favicon,
// app icons, mask icon, Open Graph image, crest) is the crown, and the fonts
// are GDS Transport, neither of which a non-government service may use. The
// agency's own icons and web manifest live in static/images/.
//
// The outputs are committed, so running the portal needs no Node.

import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import * as sass from "sass";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const nodeModules = join(root, "node_modules");
const govukDist = join(nodeModules, "govuk-frontend", "dist", "govuk");

async function readVersion(pkg) {
  const meta = JSON.parse(await readFile(join(nodeModules, pkg, "package.json"), "utf8"));
  return meta.version;
}

async function buildCss(name) {
  const source = join(root, "static", "src", `${name}.scss`);
  const target = join(root, "static", "css", `${name}.css`);
  const result = sass.compile(source, {
    style: "compressed",
    sourceMap: false,
    loadPaths: [nodeModules],
    // GOV.UK Frontend still reports some internal deprecations as warnings.
    quietDeps: true,
  });
  if (/url\(/.test(result.css)) {
    // Anything referenced by url() must be vendored too; fail loudly rather
    // than ship a stylesheet that points at missing files.
    throw new Error(`${name}.css references url(): vendor those assets in build.mjs`);
  }
  await mkdir(dirname(target), { recursive: true });
  await writeFile(target, result.css + "\n");
  return target;
}

async function vendorGovukFrontend(version) {
  const targetDir = join(root, "static", "vendor", "govuk-frontend");
  await rm(targetDir, { recursive: true, force: true });
  await mkdir(targetDir, { recursive: true });

  // The source map is not shipped, so drop the comment that points at it:
  // Django's ManifestStaticFilesStorage follows sourceMappingURL comments
  // and collectstatic would fail on the missing file.
  const js = await readFile(join(govukDist, "govuk-frontend.min.js"), "utf8");
  const stripped = js.replace(/\n?\/\/# sourceMappingURL=\S+\s*$/, "\n");
  const banner = `/* GOV.UK Frontend ${version} (MIT licence), copied by static/src/build.mjs */\n`;
  await writeFile(join(targetDir, "govuk-frontend.min.js"), banner + stripped);
  await writeFile(join(targetDir, "VERSION.txt"), `govuk-frontend ${version}\n`);
  return targetDir;
}

const version = await readVersion("govuk-frontend");
const css = [
  await buildCss("portal"),
  await buildCss("admin"),
  await buildCss("staff-tools"),
  await buildCss("case-pages"),
].map((path) => relative(root, path));
const vendor = await vendorGovukFrontend(version);
console.log(`built ${css.join(", ")} and ${relative(root, vendor)}/ (govuk-frontend ${version})`);
