const nxPreset = require('@nx/jest/preset').default;

module.exports = {
  ...nxPreset,
  // @fastify/static (Swagger UI's assets) requires content-disposition 3, an ES module: Node
  // loads it with require(esm), Jest needs it transformed to CommonJS.
  transform: {
    '/node_modules/.*content-disposition/.+\\.js$': [
      'ts-jest',
      { tsconfig: `${__dirname}/tools/jest/tsconfig.esm-dependencies.json` },
    ],
  },
  transformIgnorePatterns: ['/node_modules/(?!(?:@fastify/static/node_modules/)?content-disposition/)'],
};
