import { requestBody } from './runner';

describe('requestBody', () => {
  const defaults = { css: 'p{}', viewport_width: 200, viewport_height: 100 };

  it("puts the flags' defaults under the line's own fields", () => {
    expect(requestBody({ html: '<p>x</p>', viewport_width: 50, viewport_height: 20 }, { defaults })).toEqual({
      html: '<p>x</p>',
      css: 'p{}',
      viewport_width: 50,
      viewport_height: 20,
    });
  });

  it('leaves out a name column the API does not know, and keeps one it does', () => {
    expect(requestBody({ slug: 'a', html: 'x' }, { defaults: {}, nameColumn: 'slug' })).toEqual({ html: 'x' });
    expect(requestBody({ url: 'https://a.example' }, { defaults: {}, nameColumn: 'url' })).toEqual({ url: 'https://a.example' });
    // Other unknown fields are sent: the API's 400 names them, which is the useful error.
    expect(requestBody({ html: 'x', colour: 'red' }, { defaults: {} })).toEqual({ html: 'x', colour: 'red' });
  });
});
