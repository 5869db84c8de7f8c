<?xml version="1.0" encoding="UTF-8"?>
<!-- libcat: shows OAI-PMH 2.0 responses as a readable page in a browser. -->
<xsl:stylesheet version="1.0"
    xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns:oai="http://www.openarchives.org/OAI/2.0/"
    xmlns:oai_dc="http://www.openarchives.org/OAI/2.0/oai_dc/"
    xmlns:dc="http://purl.org/dc/elements/1.1/"
    xmlns:marc="http://www.loc.gov/MARC21/slim"
    xmlns:id="http://www.openarchives.org/OAI/2.0/oai-identifier"
    exclude-result-prefixes="oai oai_dc dc marc id">
  <xsl:output method="html" encoding="UTF-8" indent="yes"/>
  <xsl:variable name="base" select="/oai:OAI-PMH/oai:request/text()"/>
  <xsl:variable name="verb" select="/oai:OAI-PMH/oai:request/@verb"/>
  <xsl:variable name="prefix" select="/oai:OAI-PMH/oai:request/@metadataPrefix"/>

  <xsl:template match="/">
    <html>
      <head>
        <meta charset="utf-8"/>
        <title>OAI-PMH <xsl:value-of select="$verb"/></title>
        <style>
          body { font-family: sans-serif; margin: 1.5em; color: #222; }
          nav a { margin-right: 1em; }
          table { border-collapse: collapse; margin: .5em 0; }
          td, th { border: 1px solid #ccc; padding: .2em .5em; vertical-align: top; text-align: left; }
          .record { border: 1px solid #bbb; margin: .8em 0; padding: .5em; }
          .deleted { background: #fee; }
          .error { color: #a00; font-weight: bold; }
          .tag { font-family: monospace; color: #555; }
          .token { font-family: monospace; word-break: break-all; }
        </style>
      </head>
      <body>
        <h1>OAI-PMH: <xsl:value-of select="$verb"/></h1>
        <nav>
          <a href="?verb=Identify">Identify</a>
          <a href="?verb=ListMetadataFormats">ListMetadataFormats</a>
          <a href="?verb=ListSets">ListSets</a>
          <a href="?verb=ListIdentifiers&amp;metadataPrefix=oai_dc">ListIdentifiers</a>
          <a href="?verb=ListRecords&amp;metadataPrefix=oai_dc">ListRecords (oai_dc)</a>
          <a href="?verb=ListRecords&amp;metadataPrefix=marc21">ListRecords (marc21)</a>
        </nav>
        <p>Response date: <xsl:value-of select="/oai:OAI-PMH/oai:responseDate"/>;
           request: <xsl:value-of select="$base"/>
          <xsl:for-each select="/oai:OAI-PMH/oai:request/@*">
            <xsl:text> </xsl:text><xsl:value-of select="name()"/>=<xsl:value-of select="."/>
          </xsl:for-each>
        </p>
        <xsl:apply-templates select="/oai:OAI-PMH/oai:error"/>
        <xsl:apply-templates select="/oai:OAI-PMH/oai:Identify"/>
        <xsl:apply-templates select="/oai:OAI-PMH/oai:ListMetadataFormats"/>
        <xsl:apply-templates select="/oai:OAI-PMH/oai:ListSets"/>
        <xsl:apply-templates select="/oai:OAI-PMH/oai:ListIdentifiers/oai:header"/>
        <xsl:apply-templates select="//oai:record"/>
        <xsl:apply-templates select="//oai:resumptionToken"/>
      </body>
    </html>
  </xsl:template>

  <xsl:template match="oai:error">
    <p class="error">Error <xsl:value-of select="@code"/>: <xsl:value-of select="."/></p>
  </xsl:template>

  <xsl:template match="oai:Identify">
    <table>
      <xsl:for-each select="*[not(self::oai:description)]">
        <tr><th><xsl:value-of select="local-name()"/></th><td><xsl:value-of select="."/></td></tr>
      </xsl:for-each>
      <xsl:for-each select="oai:description/id:oai-identifier/*">
        <tr><th><xsl:value-of select="local-name()"/></th><td><xsl:value-of select="."/></td></tr>
      </xsl:for-each>
    </table>
  </xsl:template>

  <xsl:template match="oai:ListMetadataFormats">
    <table>
      <tr><th>prefix</th><th>schema</th><th>namespace</th><th></th></tr>
      <xsl:for-each select="oai:metadataFormat">
        <tr>
          <td><xsl:value-of select="oai:metadataPrefix"/></td>
          <td><xsl:value-of select="oai:schema"/></td>
          <td><xsl:value-of select="oai:metadataNamespace"/></td>
          <td><a href="?verb=ListRecords&amp;metadataPrefix={oai:metadataPrefix}">records</a></td>
        </tr>
      </xsl:for-each>
    </table>
  </xsl:template>

  <xsl:template match="oai:ListSets">
    <table>
      <tr><th>setSpec</th><th>name</th><th></th></tr>
      <xsl:for-each select="oai:set">
        <tr>
          <td><xsl:value-of select="oai:setSpec"/></td>
          <td><xsl:value-of select="oai:setName"/></td>
          <td><a href="?verb=ListRecords&amp;metadataPrefix=oai_dc&amp;set={oai:setSpec}">records</a></td>
        </tr>
      </xsl:for-each>
    </table>
  </xsl:template>

  <xsl:template match="oai:header">
    <div>
      <xsl:attribute name="class">record<xsl:if test="@status='deleted'"> deleted</xsl:if></xsl:attribute>
      <a href="?verb=GetRecord&amp;metadataPrefix=oai_dc&amp;identifier={oai:identifier}">
        <xsl:value-of select="oai:identifier"/></a>
      <xsl:text> </xsl:text><xsl:value-of select="oai:datestamp"/>
      <xsl:if test="@status='deleted'"> (deleted)</xsl:if>
      <xsl:for-each select="oai:setSpec"><xsl:text> [</xsl:text><xsl:value-of select="."/>]</xsl:for-each>
    </div>
  </xsl:template>

  <xsl:template match="oai:record">
    <div>
      <xsl:attribute name="class">record<xsl:if test="oai:header/@status='deleted'"> deleted</xsl:if></xsl:attribute>
      <div>
        <b><xsl:value-of select="oai:header/oai:identifier"/></b>
        <xsl:text> </xsl:text><xsl:value-of select="oai:header/oai:datestamp"/>
        <xsl:if test="oai:header/@status='deleted'"> (deleted)</xsl:if>
        <xsl:for-each select="oai:header/oai:setSpec"><xsl:text> [</xsl:text><xsl:value-of select="."/>]</xsl:for-each>
      </div>
      <xsl:apply-templates select="oai:metadata/*"/>
    </div>
  </xsl:template>

  <xsl:template match="oai_dc:dc">
    <table>
      <xsl:for-each select="dc:*">
        <tr><th><xsl:value-of select="local-name()"/></th>
          <td>
            <xsl:choose>
              <xsl:when test="starts-with(., 'http://') or starts-with(., 'https://')">
                <a href="{.}"><xsl:value-of select="."/></a>
              </xsl:when>
              <xsl:otherwise><xsl:value-of select="."/></xsl:otherwise>
            </xsl:choose>
          </td></tr>
      </xsl:for-each>
    </table>
  </xsl:template>

  <xsl:template match="marc:record">
    <table>
      <tr><td class="tag">LDR</td><td colspan="2"><xsl:value-of select="marc:leader"/></td></tr>
      <xsl:for-each select="marc:controlfield">
        <tr><td class="tag"><xsl:value-of select="@tag"/></td><td></td><td><xsl:value-of select="."/></td></tr>
      </xsl:for-each>
      <xsl:for-each select="marc:datafield">
        <tr>
          <td class="tag"><xsl:value-of select="@tag"/></td>
          <td class="tag"><xsl:value-of select="translate(concat(@ind1, @ind2), ' ', '#')"/></td>
          <td>
            <xsl:for-each select="marc:subfield">
              <span class="tag">$<xsl:value-of select="@code"/></span><xsl:text> </xsl:text>
              <xsl:value-of select="."/><xsl:text> </xsl:text>
            </xsl:for-each>
          </td>
        </tr>
      </xsl:for-each>
    </table>
  </xsl:template>

  <xsl:template match="oai:resumptionToken">
    <p>
      <xsl:if test="@completeListSize">Records <xsl:value-of select="@cursor + 1"/>–<xsl:value-of
          select="@cursor + count(//oai:record) + count(/oai:OAI-PMH/oai:ListIdentifiers/oai:header)"/>
        of <xsl:value-of select="@completeListSize"/>. </xsl:if>
      <xsl:choose>
        <xsl:when test="string-length(.) &gt; 0">
          <a href="?verb={$verb}&amp;resumptionToken={.}">next page</a>
        </xsl:when>
        <xsl:otherwise>End of the list.</xsl:otherwise>
      </xsl:choose>
    </p>
  </xsl:template>
</xsl:stylesheet>
