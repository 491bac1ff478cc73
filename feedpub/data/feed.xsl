<?xml version="1.0" encoding="utf-8"?>
<!--
  feedpub's feed stylesheet: a feed opened in a browser shows as a readable page.
  XSLT 1.0 (the only version browsers run); handles Atom 1.0 and RSS 2.0.
  Every value is output as text, never as markup, so a feed cannot inject HTML;
  entry content (HTML) is not shown, only the plain-text summary.
-->
<xsl:stylesheet version="1.0"
    xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns:atom="http://www.w3.org/2005/Atom"
    xmlns:dc="http://purl.org/dc/elements/1.1/"
    xmlns:content="http://purl.org/rss/1.0/modules/content/"
    xmlns:media="http://search.yahoo.com/mrss/"
    exclude-result-prefixes="atom dc content media">
  <xsl:output method="html" encoding="utf-8" indent="no" doctype-system="about:legacy-compat"/>

  <xsl:template match="/">
    <xsl:variable name="title" select="normalize-space(atom:feed/atom:title | rss/channel/title)"/>
    <html>
      <head>
        <meta name="viewport" content="width=device-width, initial-scale=1"/>
        <title><xsl:value-of select="$title"/> (feed)</title>
        <style>
:root{color-scheme:light dark;--line:#8884;--dim:#777}
*{box-sizing:border-box}
body{margin:0 auto;max-width:46rem;padding:1rem;font:16px/1.5 system-ui,sans-serif}
h1{font-size:1.6rem;line-height:1.2;margin:.5rem 0}
.note{border-left:4px solid #e8912d;padding:.5rem .75rem;background:#e8912d1a;overflow-wrap:anywhere}
.note code{font-size:.9em;user-select:all}
ol{list-style:none;padding:0;margin:1.5rem 0}
li{border-bottom:1px solid var(--line);padding:.75rem 0}
h2{font-size:1.1rem;line-height:1.3;margin:0;overflow-wrap:anywhere}
.meta{color:var(--dim);font-size:.85rem;margin:.2rem 0}
.summary{margin:.3rem 0 0;overflow-wrap:anywhere}
a{color:#1a6fc9}
@media (prefers-color-scheme:dark){a{color:#6cb0ff}}
@media (max-width:30rem){body{padding:.6rem;font-size:15px}}
        </style>
      </head>
      <body>
        <xsl:apply-templates select="atom:feed | rss/channel"/>
      </body>
    </html>
  </xsl:template>

  <!-- The header both formats share. -->
  <xsl:template name="header">
    <xsl:param name="title"/>
    <xsl:param name="subtitle"/>
    <xsl:param name="self"/>
    <xsl:param name="home"/>
    <xsl:param name="count"/>
    <header>
      <h1><xsl:value-of select="$title"/></h1>
      <xsl:if test="normalize-space($subtitle) != '' and normalize-space($subtitle) != $title">
        <p><xsl:value-of select="$subtitle"/></p>
      </xsl:if>
      <p class="note">
        <strong>This is a feed: copy its URL into your reader.</strong>
        <xsl:if test="$self != ''">
          <br/><code><xsl:value-of select="$self"/></code>
        </xsl:if>
      </p>
      <p class="meta">
        <xsl:value-of select="$count"/>
        <xsl:choose>
          <xsl:when test="$count = 1"> entry</xsl:when>
          <xsl:otherwise> entries</xsl:otherwise>
        </xsl:choose>
        <xsl:if test="$home != ''">
          <xsl:text> · </xsl:text>
          <xsl:call-template name="link">
            <xsl:with-param name="href" select="$home"/>
            <xsl:with-param name="text" select="'Its web page'"/>
          </xsl:call-template>
        </xsl:if>
      </p>
    </header>
  </xsl:template>

  <!-- A link only to http(s) URLs: a javascript: or data: link is shown as plain text. -->
  <xsl:template name="link">
    <xsl:param name="href"/>
    <xsl:param name="text"/>
    <xsl:variable name="scheme" select="translate(substring(normalize-space($href), 1, 8), 'HTPS', 'htps')"/>
    <xsl:choose>
      <xsl:when test="starts-with($scheme, 'https://') or starts-with($scheme, 'http://')">
        <a href="{normalize-space($href)}"><xsl:value-of select="$text"/></a>
      </xsl:when>
      <xsl:otherwise><xsl:value-of select="$text"/></xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <xsl:template name="entry">
    <xsl:param name="title"/>
    <xsl:param name="href"/>
    <xsl:param name="date"/>
    <xsl:param name="shown-date"/>
    <xsl:param name="author"/>
    <xsl:param name="summary"/>
    <li>
      <h2>
        <xsl:call-template name="link">
          <xsl:with-param name="href" select="$href"/>
          <xsl:with-param name="text">
            <xsl:choose>
              <xsl:when test="normalize-space($title) != ''"><xsl:value-of select="$title"/></xsl:when>
              <xsl:otherwise>(untitled)</xsl:otherwise>
            </xsl:choose>
          </xsl:with-param>
        </xsl:call-template>
      </h2>
      <p class="meta">
        <xsl:choose>
          <xsl:when test="$date != ''">
            <time datetime="{$date}"><xsl:value-of select="$shown-date"/></time>
          </xsl:when>
          <xsl:otherwise><xsl:value-of select="$shown-date"/></xsl:otherwise>
        </xsl:choose>
        <xsl:if test="normalize-space($author) != ''">
          <xsl:text> · </xsl:text><xsl:value-of select="$author"/>
        </xsl:if>
      </p>
      <xsl:if test="normalize-space($summary) != ''">
        <p class="summary"><xsl:value-of select="$summary"/></p>
      </xsl:if>
    </li>
  </xsl:template>

  <!-- Atom 1.0 -->
  <xsl:template match="atom:feed">
    <xsl:call-template name="header">
      <xsl:with-param name="title" select="normalize-space(atom:title)"/>
      <xsl:with-param name="subtitle" select="atom:subtitle"/>
      <xsl:with-param name="self" select="atom:link[@rel = 'self']/@href"/>
      <xsl:with-param name="home" select="atom:link[@rel = 'alternate' or not(@rel)]/@href"/>
      <xsl:with-param name="count" select="count(atom:entry)"/>
    </xsl:call-template>
    <ol>
      <xsl:for-each select="atom:entry">
        <xsl:variable name="date" select="(atom:published | atom:updated)[1]"/>
        <xsl:call-template name="entry">
          <xsl:with-param name="title" select="atom:title"/>
          <xsl:with-param name="href" select="atom:link[@rel = 'alternate' or not(@rel)]/@href"/>
          <xsl:with-param name="date" select="$date"/>
          <xsl:with-param name="shown-date">
            <xsl:value-of select="concat(substring($date, 1, 10), ' ', substring($date, 12, 5))"/>
            <xsl:if test="substring($date, string-length($date)) = 'Z'"> UTC</xsl:if>
          </xsl:with-param>
          <xsl:with-param name="author" select="atom:author/atom:name"/>
          <xsl:with-param name="summary" select="atom:summary"/>
        </xsl:call-template>
      </xsl:for-each>
    </ol>
  </xsl:template>

  <!-- RSS 2.0 -->
  <xsl:template match="channel">
    <xsl:call-template name="header">
      <xsl:with-param name="title" select="normalize-space(title)"/>
      <xsl:with-param name="subtitle" select="description"/>
      <xsl:with-param name="self" select="atom:link[@rel = 'self']/@href"/>
      <xsl:with-param name="home" select="link"/>
      <xsl:with-param name="count" select="count(item)"/>
    </xsl:call-template>
    <ol>
      <xsl:for-each select="item">
        <!-- feedpub's pubDate, "Sun, 02 Mar 2025 12:35:31 GMT", shown as Atom's are -->
        <xsl:variable name="raw" select="normalize-space(pubDate)"/>
        <xsl:variable name="month" select="substring(substring-after(
          'Jan01Feb02Mar03Apr04May05Jun06Jul07Aug08Sep09Oct10Nov11Dec12',
          substring($raw, 9, 3)), 1, 2)"/>
        <xsl:variable name="ours" select="string-length($raw) = 29
          and substring($raw, 27) = 'GMT' and string-length($month) = 2"/>
        <xsl:variable name="day" select="concat(substring($raw, 13, 4), '-', $month, '-',
          substring($raw, 6, 2))"/>
        <xsl:call-template name="entry">
          <xsl:with-param name="title" select="title"/>
          <xsl:with-param name="href" select="link"/>
          <xsl:with-param name="date">
            <xsl:if test="$ours">
              <xsl:value-of select="concat($day, 'T', substring($raw, 18, 8), 'Z')"/>
            </xsl:if>
          </xsl:with-param>
          <xsl:with-param name="shown-date">
            <xsl:choose>
              <xsl:when test="$ours">
                <xsl:value-of select="concat($day, ' ', substring($raw, 18, 5), ' UTC')"/>
              </xsl:when>
              <xsl:otherwise><xsl:value-of select="$raw"/></xsl:otherwise>
            </xsl:choose>
          </xsl:with-param>
          <xsl:with-param name="author" select="dc:creator | author"/>
          <xsl:with-param name="summary">
            <xsl:call-template name="html-text">
              <xsl:with-param name="html" select="description"/>
            </xsl:call-template>
          </xsl:with-param>
        </xsl:call-template>
      </xsl:for-each>
    </ol>
  </xsl:template>

  <!-- An RSS description is HTML: text without markup (feedpub's summaries) is shown
       with its &lt; &gt; &amp; decoded ("AT&amp;T" is AT&T); markup is not shown. -->
  <xsl:template name="html-text">
    <xsl:param name="html"/>
    <xsl:if test="not(contains($html, '&lt;'))">
      <xsl:call-template name="decode">
        <xsl:with-param name="text" select="$html"/>
      </xsl:call-template>
    </xsl:if>
  </xsl:template>

  <!-- `text` decoded in halves, cut before an entity, down to pieces short enough for
       `replace` to recurse once per entity: a browser stops at 3,000 calls deep, and
       one long description of "&amp;"s must not blank the page. -->
  <xsl:template name="decode">
    <xsl:param name="text"/>
    <xsl:choose>
      <xsl:when test="string-length($text) &gt; 400">
        <xsl:variable name="mid" select="floor(string-length($text) div 2)"/>
        <xsl:variable name="tail" select="substring($text, $mid - 3, 4)"/>
        <xsl:variable name="cut" select="$mid - (string-length($tail)
          - string-length(substring-before($tail, '&amp;'))) * number(contains($tail, '&amp;'))"/>
        <xsl:call-template name="decode">
          <xsl:with-param name="text" select="substring($text, 1, $cut)"/>
        </xsl:call-template>
        <xsl:call-template name="decode">
          <xsl:with-param name="text" select="substring($text, $cut + 1)"/>
        </xsl:call-template>
      </xsl:when>
      <xsl:otherwise>
        <xsl:call-template name="replace">
          <xsl:with-param name="from" select="'&amp;amp;'"/>
          <xsl:with-param name="to" select="'&amp;'"/>
          <xsl:with-param name="text">
            <xsl:call-template name="replace">
              <xsl:with-param name="from" select="'&amp;gt;'"/>
              <xsl:with-param name="to" select="'&gt;'"/>
              <xsl:with-param name="text">
                <xsl:call-template name="replace">
                  <xsl:with-param name="from" select="'&amp;lt;'"/>
                  <xsl:with-param name="to" select="'&lt;'"/>
                  <xsl:with-param name="text" select="$text"/>
                </xsl:call-template>
              </xsl:with-param>
            </xsl:call-template>
          </xsl:with-param>
        </xsl:call-template>
      </xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <!-- `text` with every `from` replaced by `to` (&amp; last, so "&amp;lt;" reads "&lt;"). -->
  <xsl:template name="replace">
    <xsl:param name="text"/>
    <xsl:param name="from"/>
    <xsl:param name="to"/>
    <xsl:choose>
      <xsl:when test="contains($text, $from)">
        <xsl:value-of select="concat(substring-before($text, $from), $to)"/>
        <xsl:call-template name="replace">
          <xsl:with-param name="text" select="substring-after($text, $from)"/>
          <xsl:with-param name="from" select="$from"/>
          <xsl:with-param name="to" select="$to"/>
        </xsl:call-template>
      </xsl:when>
      <xsl:otherwise><xsl:value-of select="$text"/></xsl:otherwise>
    </xsl:choose>
  </xsl:template>
</xsl:stylesheet>
