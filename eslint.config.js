// Lint rules, including the import boundaries between layers that docs/architecture.md describes.
import { readdirSync } from 'node:fs';
import tseslint from 'typescript-eslint';

const layer = (files, forbidden, why) => ({
  files,
  rules: {
    'no-restricted-imports': ['error', { patterns: forbidden.map((group) => ({ group: [group], message: why })) }],
  },
});

const services = readdirSync(new URL('./src/services', import.meta.url), { withFileTypes: true })
  .filter((d) => d.isDirectory() && d.name !== 'common')
  .map((d) => d.name);

const composedBy = ['**/cli/**', '**/slipway.js', '**/internal-routes.js'];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'src/aws/models/generated/**', '.slipway/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  layer(['src/core/**'], ['**/aws/**', '**/state/**', '**/services/**', '**/runtime/**', '**/cli/**', '**/slipway.js'], 'core knows nothing of AWS, state or services.'),
  layer(['src/aws/models/**'], ['**/protocol/**', '**/gateway/**', '**/state/**', '**/services/**', '**/runtime/**', '**/cli/**'], 'models are data: they import only core.'),
  layer(['src/aws/protocol/**'], ['**/gateway/**', '**/state/**', '**/services/**', '**/runtime/**', '**/cli/**'], 'codecs know models, never the gateway, state or services.'),
  layer(['src/aws/gateway/**'], ['**/state/**', '**/services/**', '**/runtime/**', '**/cli/**'], 'the gateway reaches services only through providers it is given.'),
  layer(['src/state/**'], ['**/aws/**', '**/services/**', '**/runtime/**', '**/cli/**'], 'state stores know nothing of protocols or services.'),
  layer(['src/runtime/**'], ['**/aws/**', '**/services/**', '**/cli/**'], 'executors run processes; they do not speak AWS.'),
  layer(['src/services/**'], composedBy, 'services are composed by slipway.ts, not the other way round.'),
  // A service calls another through the in-process AWS client, never by importing its code.
  ...services.map((name) =>
    layer(
      [`src/services/${name}/**`],
      [...composedBy, ...services.filter((other) => other !== name).flatMap((other) => [`../${other}/*`, `../../services/${other}/*`])],
      'services are composed by slipway.ts and call each other only through the in-process AWS client.',
    ),
  ),
);
